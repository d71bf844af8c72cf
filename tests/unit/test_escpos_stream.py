"""Tests of the ESC/POS stream reader and the fake network printer, fed by real python-escpos."""

from __future__ import annotations

import socket
import time

import pytest
import qrcode
from escpos.constants import QR_ECLEVEL_M, QR_ECLEVEL_Q, QR_MODEL_2
from escpos.printer import Dummy, Network
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tests.support.escpos_stream import (
    Align,
    Barcode,
    Bold,
    CodePage,
    ColumnImage,
    Command,
    Cut,
    Feed,
    Font,
    Graphics,
    Init,
    LineFeed,
    LineSpacing,
    NativeQr,
    PrintMode,
    Raster,
    Size,
    StatusQuery,
    StreamError,
    Text,
    Underline,
    decode_qr,
    parse,
    qr_payloads,
)
from tests.support.fake_printer import FakePrinter, StatusScanner, refused_port

SPANISH = "¿Agregar café? ¡Sí! Ñandú €\n"
URL = "http://kiosk.local:8080/r/QPC-GB8?k=abc"
CP858 = 19

# Every character python-escpos can print with CP858 forced: printable ASCII, LF, the high half.
CP858_CHARS = [chr(c) for c in range(0x20, 0x7F)] + ["\n"] + [
    bytes([b]).decode("cp858") for b in range(0x80, 0x100)
]
CONTROL_CHARS = [chr(c) for c in range(0x20) if c != 0x0A] + ["\x7f"]


def dummy() -> Dummy:
    """A python-escpos printer that only collects bytes."""
    return Dummy()


# --- Text and code pages -------------------------------------------------------------------


def test_cp858_text_decodes_back_exactly() -> None:
    printer = dummy()
    printer.hw("INIT")
    printer.charcode("CP858")
    printer.text(SPANISH)

    stream = parse(printer.output)

    assert stream.items == [
        Init(),
        CodePage(CP858, "CP858"),
        Text(SPANISH.rstrip("\n"), CP858),
        LineFeed(),
    ]
    assert stream.text() == SPANISH
    assert stream.lines() == [SPANISH.rstrip("\n"), ""]
    assert stream.code_pages() == [CP858]
    assert stream.commands() == ["INIT", "CODEPAGE", "TEXT", "LF"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(CP858_CHARS), max_size=60))
def test_any_cp858_text_round_trips(text: str) -> None:
    printer = dummy()
    printer.charcode("CP858")
    printer.text(text)

    stream = parse(printer.output)

    assert stream.text() == text
    assert all(item.code_page == CP858 for item in stream.of(Text))


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(CP858_CHARS), max_size=10),
    st.sampled_from(CONTROL_CHARS),
    st.text(alphabet=st.sampled_from(CP858_CHARS + CONTROL_CHARS), max_size=10),
)
def test_text_with_a_control_character_never_reads_back_as_that_text(
    before: str, control: str, after: str
) -> None:
    text = before + control + after
    printer = dummy()
    printer.charcode("CP858")
    printer.text(text)

    try:
        stream = parse(printer.output)
    except StreamError:
        return
    assert stream.text() != text


def test_auto_encoding_switches_code_pages_per_character() -> None:
    """Auto mode tries code pages in string order of their numbers: "15" sorts before "19"."""
    printer = dummy()
    printer.text("a€b")

    stream = parse(printer.output)

    assert stream.text() == "a€b"
    assert stream.of(CodePage) == [CodePage(0, "CP437"), CodePage(15, "ISO_8859-7")]


def test_escpos_selects_a_code_page_even_for_plain_ascii() -> None:
    printer = dummy()
    printer.text("hi\n")

    assert parse(printer.output).items == [CodePage(0, "CP437"), Text("hi", 0), LineFeed()]


def test_ascii_needs_no_code_page() -> None:
    assert parse(b"plain\n").items == [Text("plain", None), LineFeed()]


# --- Strictness ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "offset", "reason"),
    [
        (b"abc\x07", 3, "control byte 0x07"),
        (b"abc\x7fdef", 3, "control byte 0x7f"),
        (b"line\r\n", 4, "control byte 0x0d"),
        (b"tab\there", 3, "control byte 0x09"),
        (b"caf\x82", 3, "no code page selected"),
        (b"\x1bt\x13ok\x1b@caf\x82", 10, "no code page selected"),
        (b"\x1bt\x63", 0, "no such code page"),
        (b"\x1bt\xffcaf\x82", 6, "has no known table"),
        (b"abc\x1bZ", 3, "unknown command ESC 0x5a"),
        (b"\x1d\x99", 0, "unknown command GS 0x99"),
        (b"\x10\x05\x01", 0, "unknown command DLE 0x05"),
        (b"\x10\x04\x05", 0, "DLE EOT 5"),
        (b"\x1c.", 0, "unknown FS command"),
        (b"ok\x1b", 2, "truncated ESC command"),
        (b"\x1bt", 0, "truncated ESC t"),
        (b"\x1bE\x05", 0, "out of range"),
        (b"\x1d!\x88", 0, "out of range"),
        (b"\x1dV", 0, "truncated GS V"),
        (b"\x1dVA", 0, "truncated GS V m n"),
        (b"\x1dV\x07", 0, "cut mode 7"),
        (b"\x1dv0\x00\x01\x00\x02\x00\xff", 0, "truncated GS v 0 data"),
        (b"\x1dv0\x00\x01\x00", 0, "truncated GS v 0"),
        (b"\x1d(k\x03\x001P", 0, "truncated GS ( data"),
        (b"\x1d(k\x04\x001P0\xff", 0, "not UTF-8"),
        (b"\x1dk\x02123", 0, "missing NUL"),
    ],
)
def test_strict_reader_rejects(data: bytes, offset: int, reason: str) -> None:
    with pytest.raises(StreamError) as caught:
        parse(data)

    assert caught.value.offset == offset
    assert reason in caught.value.reason


def test_raw_control_byte_in_a_text_run_is_rejected_at_its_offset() -> None:
    printer = dummy()
    printer.hw("INIT")
    printer.text("Name: ")
    printer._raw(b"Bob\x07")
    printer.text("\n")

    with pytest.raises(StreamError) as caught:
        parse(printer.output)

    assert caught.value.offset == printer.output.index(b"\x07")


def test_injected_esc_at_is_a_real_command_not_text() -> None:
    """ESC @ is valid ESC/POS, so it parses; the proof is that it is not in the text."""
    printer = dummy()
    printer.text("Name: ")
    printer.text("\x1b@Bob\n")

    stream = parse(printer.output)

    assert stream.text() == "Name: Bob\n"
    assert "INIT" in stream.commands()


def test_init_forgets_the_code_page_unless_told_otherwise() -> None:
    printer = dummy()
    printer.charcode("CP858")
    printer.hw("INIT")
    printer.text("café\n")

    with pytest.raises(StreamError, match="no code page selected"):
        parse(printer.output)
    assert parse(printer.output, init_resets_code_page=False).text() == "café\n"


# --- Styles, feeds, cuts, status -----------------------------------------------------------


def test_styles_and_cuts_are_recognised() -> None:
    printer = dummy()
    printer.set(bold=True, underline=1, align="center", font="b")
    printer.set(double_height=True, double_width=True)
    printer.set(custom_size=True, width=2, height=3)
    printer.textln("Title")
    printer.set(bold=False, align="left", normal_textsize=True)
    printer.cut()
    printer.cut(mode="PART")
    printer.cut(feed=False)

    stream = parse(printer.output)

    assert stream.of(Bold) == [Bold(True), Bold(False)]
    assert stream.of(Underline) == [Underline(1)]
    assert [item.side for item in stream.of(Align)] == ["center", "left"]
    assert stream.of(Font) == [Font(1)]
    assert stream.of(Size) == [Size(width=2, height=3)]
    assert any(mode.double_height and mode.double_width for mode in stream.of(PrintMode))
    assert stream.of(PrintMode)[-1] == PrintMode(0)
    assert stream.of(Feed) == [Feed(6, "lines"), Feed(6, "lines")]
    assert stream.of(Cut) == [Cut(0, None), Cut(1, None), Cut(66, 0)]
    assert [cut.partial for cut in stream.of(Cut)] == [False, True, True]
    assert stream.lines() == ["Title", ""]


def test_cut_variants_with_and_without_feed() -> None:
    stream = parse(b"\x1dV0\x1dV1\x1dVA\x03\x1dVa\x05\x1dVh\x00")

    assert stream.of(Cut) == [Cut(48, None), Cut(49, None), Cut(65, 3), Cut(97, 5), Cut(104, 0)]


def test_feeds_spacing_and_status_queries() -> None:
    printer = dummy()
    printer.print_and_feed(3)
    printer._raw(b"\x1bJ\x18")
    printer.line_spacing(24)
    printer.line_spacing(10, divisor=60)
    printer.line_spacing()
    printer._raw(b"\x10\x04\x01\x10\x04\x04")

    assert parse(printer.output).items == [
        Feed(3, "lines"),
        Feed(24, "dots"),
        LineSpacing(24, 180),
        LineSpacing(10, 60),
        LineSpacing(None, None),
        StatusQuery(1),
        StatusQuery(4),
    ]


def test_other_escpos_commands_are_named() -> None:
    printer = dummy()
    printer.set(invert=True, smooth=True, flip=False, density=4)
    printer.cashdraw(2)
    printer.panel_buttons(False)
    printer.control("HT", count=3, tab_size=4)

    assert parse(printer.output).items == [
        Command("FLIP", (0,)),
        Command("SMOOTH", (1,)),
        Command("DENSITY", (4,)),
        Command("INVERT", (1,)),
        Command("CASH_DRAWER", (0, 50, 50)),
        Command("PANEL_BUTTONS", (1,)),
        Command("TAB_STOPS", (4, 8)),
    ]


def test_hardware_barcode() -> None:
    printer = dummy()
    printer.barcode("4006381333931", "EAN13")
    printer.barcode("{BKIOSK-42", "CODE128", function_type="B")

    assert parse(printer.output).of(Barcode) == [
        Barcode(2, b"4006381333931"),
        Barcode(73, b"{BKIOSK-42"),
    ]


# --- Images and QR codes -------------------------------------------------------------------


def test_image_qr_decodes_back_to_the_url() -> None:
    printer = dummy()
    printer.qr(URL, native=False, size=6)

    stream = parse(printer.output)

    assert qr_payloads(printer.output) == [URL]
    assert stream.commands() == ["CODEPAGE", "LF", "RASTER", "LF", "LF"]
    (image,) = stream.images()
    assert image.mode == "1"
    assert image.getpixel((0, 0)) == 255  # the quiet zone is white, not printed
    assert decode_qr(image) == [URL]


@pytest.mark.parametrize(
    ("impl", "kind"), [("graphics", Graphics), ("bitImageColumn", ColumnImage)]
)
def test_image_qr_decodes_with_every_image_command(impl: str, kind: type) -> None:
    printer = dummy()
    printer.qr(URL, native=False, size=6, image_arguments={"impl": impl})

    stream = parse(printer.output)

    assert stream.of(kind)
    assert len(stream.images()) == 1
    assert qr_payloads(printer.output) == [URL]


def test_tall_image_fragments_are_joined_back() -> None:
    payload = "k" * 800
    printer = dummy()
    printer.qr(payload, native=False, size=16)

    stream = parse(printer.output)

    assert len(stream.of(Raster)) == 2  # python-escpos splits images taller than 960 dots
    (image,) = stream.images()
    assert image.height == sum(item.height for item in stream.of(Raster))
    assert qr_payloads(printer.output) == [payload]


def test_native_qr_gives_payload_and_settings() -> None:
    printer = dummy()
    printer.qr(URL, native=True, size=6, ec=QR_ECLEVEL_Q)

    stream = parse(printer.output)

    assert stream.of(NativeQr) == [
        NativeQr(URL, module_size=6, ec_level=QR_ECLEVEL_Q, model=QR_MODEL_2)
    ]
    assert stream.commands() == ["QR_MODEL", "QR_SIZE", "QR_EC", "NATIVE_QR", "QR_PRINT"]
    assert qr_payloads(printer.output) == [URL]


def test_qr_payloads_keep_stream_order() -> None:
    printer = dummy()
    printer.qr("first", native=True, ec=QR_ECLEVEL_M)
    printer.textln("between")
    printer.qr("second", native=False, size=4)
    printer.qr("third", native=True)

    assert qr_payloads(printer.output) == ["first", "second", "third"]


def test_decode_qr_reads_a_plain_pil_image() -> None:
    image = qrcode.make("plain image", border=0).get_image()

    assert decode_qr(image) == ["plain image"]


def test_a_blank_image_has_no_qr() -> None:
    printer = dummy()
    printer.image(Image.new("RGB", (64, 32), "white"))

    stream = parse(printer.output)
    assert len(stream.images()) == 1
    assert qr_payloads(printer.output) == []


# --- Fake printer --------------------------------------------------------------------------


def connect(port: int, timeout: float = 2.0) -> socket.socket:
    """A plain client socket, Nagle off so small writes leave at once."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def test_ok_printer_receives_a_job_and_answers_status() -> None:
    job = b"\x1b@hello\n\x1dV\x00"
    with FakePrinter("ok") as printer:
        with connect(printer.port) as client:
            client.sendall(job + b"\x10\x04\x01")
            assert client.recv(16) == b"\x12"

        assert printer.wait_for_jobs(1) == [job + b"\x10\x04\x01"]
        assert printer.received == job + b"\x10\x04\x01"
        assert printer.connections == 1
        assert printer.status_queries == [1]


def test_ok_printer_answers_each_status_kind() -> None:
    with FakePrinter("ok", online=0x1A, offline_cause=0x32, paper=0x72) as printer:
        with connect(printer.port) as client:
            client.sendall(b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04")
            answers = b""
            while len(answers) < 4:
                answers += client.recv(16)

    assert answers == b"\x1a\x32\x12\x72"


def test_ok_printer_finds_a_status_request_split_across_reads() -> None:
    with FakePrinter("ok", paper=0x7E) as printer:
        with connect(printer.port) as client:
            for piece in (b"text\x10", b"\x04", b"\x04more"):
                client.sendall(piece)
                time.sleep(0.05)
            assert client.recv(16) == b"\x7e"
        assert printer.wait_for_jobs(1) == [b"text\x10\x04\x04more"]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=40).map(lambda b: b.replace(b"\x11", b"\x10\x04")), st.data())
def test_status_scanner_ignores_chunk_boundaries(stream: bytes, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    scanner = StatusScanner()
    found: list[int] = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        found += scanner.feed(stream[start:end])

    assert found == StatusScanner().feed(stream)


def test_status_scanner_counts_only_complete_requests() -> None:
    assert StatusScanner().feed(b"\x10\x04\x10\x04\x02\x10\x04\x09\x10\x04\x04\x10") == [2, 4]


def test_mute_printer_never_answers() -> None:
    with FakePrinter("mute") as printer:
        with connect(printer.port, timeout=0.3) as client:
            client.sendall(b"\x10\x04\x01")
            with pytest.raises(socket.timeout):
                client.recv(16)
            assert printer.connections == 1
        assert printer.received == b""
        assert printer.jobs == []


def test_silent_printer_reads_but_never_answers() -> None:
    with FakePrinter("silent") as printer:
        with connect(printer.port, timeout=0.3) as client:
            client.sendall(b"job\x10\x04\x01")
            with pytest.raises(socket.timeout):
                client.recv(16)
        assert printer.wait_for_jobs(1) == [b"job\x10\x04\x01"]
        assert printer.status_queries == [1]


def test_slow_printer_answers_after_reading_slowly() -> None:
    payload = bytes(range(0x20, 0x7F)) * 8  # 760 bytes: 12 reads of 64 bytes
    with FakePrinter("slow", read_delay=0.02) as printer:
        started = time.monotonic()
        with connect(printer.port) as client:
            client.sendall(payload + b"\x10\x04\x04")
            assert client.recv(16) == b"\x12"
        assert printer.wait_for_jobs(1) == [payload + b"\x10\x04\x04"]
        assert time.monotonic() - started >= 0.2


def test_jobs_are_one_per_connection() -> None:
    with FakePrinter() as printer:
        for index in range(3):
            with connect(printer.port) as client:
                client.sendall(b"job %d" % index)
            printer.wait_for_jobs(index + 1)

        assert printer.jobs == [b"job 0", b"job 1", b"job 2"]
        assert printer.received == b"job 0job 1job 2"
        assert printer.connections == 3


def test_wait_for_jobs_times_out() -> None:
    with FakePrinter("mute") as printer:
        with connect(printer.port):
            with pytest.raises(TimeoutError):
                printer.wait_for_jobs(1, timeout=0.2)


def test_stop_closes_clients_quickly_and_the_port_is_reusable() -> None:
    printer = FakePrinter("mute").start()
    port = printer.port
    idle = connect(port)
    reading = FakePrinter("ok")  # a second server with a connection left open
    reading.start()
    open_client = connect(reading.port)

    started = time.monotonic()
    printer.stop()
    reading.stop()
    assert time.monotonic() - started < 1.0
    assert idle.recv(16) == b""  # the fake printer closed its side
    assert open_client.recv(16) == b""
    idle.close()
    open_client.close()

    with FakePrinter("ok", port=port) as again:
        assert again.port == port
        with connect(port) as client:
            client.sendall(b"second life")
        assert again.wait_for_jobs(1) == [b"second life"]


def test_refused_port_refuses() -> None:
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", refused_port()), timeout=1.0)


# --- python-escpos over the network --------------------------------------------------------


def test_escpos_network_printer_job_parses() -> None:
    with FakePrinter("ok", online=0x12, paper=0x72) as fake:
        printer = Network("127.0.0.1", port=fake.port, timeout=2)
        printer.open()
        assert printer.is_online() is True
        assert printer.paper_status() == 0  # 0x72: paper end
        printer.hw("INIT")
        printer.charcode("CP858")
        printer.text(SPANISH)
        printer.cut()
        printer.close()

        (job,) = fake.wait_for_jobs(1)

    stream = parse(job)
    assert stream.of(StatusQuery) == [StatusQuery(1), StatusQuery(4)]
    assert stream.text() == SPANISH
    assert stream.of(Cut) == [Cut(0, None)]


def test_escpos_network_status_times_out_on_a_silent_printer() -> None:
    """python-escpos's is_online() raises on no answer rather than returning False."""
    with FakePrinter("silent") as fake:
        printer = Network("127.0.0.1", port=fake.port, timeout=0.3)
        printer.open()
        try:
            with pytest.raises(TimeoutError):
                printer.is_online()
        finally:
            printer.close()
