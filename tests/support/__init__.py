"""What the tests share (no test imports another test module or conftest):

    clock          the fixed clock (NOW, 21/11/2026 10:00 in Argentina) and a hand-moved monotonic
    pilot          driving the App under Textual's Pilot: wait_for, screen_text, walk_to_confirm, ...
    cli            the kiosk command as a real subprocess
    storage        data folders, faulty ``os`` calls and child writer processes for the storage tests
    printers       a print spooler on a test printer
    fake_printer   a loopback port-9100 printer that can refuse, stall or read slowly
    escpos_stream  a parser of ESC/POS bytes, to check what reaches the paper
    pty_terminal   the kiosk in a pseudo-terminal, read and typed into like a real one
    hostile        hostile text: markup, escapes, control bytes, look-alikes, huge pastes
    similarity_set the labelled "seen this before?" set
    soak           every fault many times (make soak; test_soak runs a short version)
"""
