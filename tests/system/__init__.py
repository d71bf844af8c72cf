"""System tests: real processes, pseudo-terminals, loopback printers and servers, the install."""
