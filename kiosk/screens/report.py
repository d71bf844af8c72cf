"""Quick report: kind → area → what happened (+ impact) → what we did → name → save.

Keyboard only, Enter moves forward, Esc goes back a step (from the first step, to Home). The
save runs in a thread worker; while it runs a second Enter does nothing, and if it fails the
report stays on screen with a plain message so it can be saved again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Static
from textual.widgets.option_list import Option

from kiosk.core.records import KINDS, REPORT_LIMITS, Record, ReportDraft, ValidationError, clean_report
from kiosk.core.text import clean_text, fold
from kiosk.i18n import N_, _
from kiosk.screens.base import KioskScreen, leave
from kiosk.storage import StorageError, StorageFull
from kiosk.views.labels import (
    KIND_HINTS,
    describe_error,
    describe_storage_problem,
    field_label,
    kind_label,
    limit_hint,
)
from kiosk.views.seen import Lesson, Seen, describe, lessons_like, look_up
from kiosk.widgets import KioskFooter, TLabel, plain
from kiosk.widgets.inputs import KioskInput, KioskOptionList, ReportTextArea, TextClipped

#: The steps in order: id and the heading shown above them.
STEPS = (
    ("kind", N_("What kind of event?")),
    ("area", N_("Where did it happen?")),
    ("what", N_("What happened?")),
    ("did", N_("What did we do right away?")),
    ("name", N_("Your name (optional)")),
    ("confirm", N_("Check and save")),
)


@dataclass
class ReportSaved(Message):
    record: Record


@dataclass
class ReportFailed(Message):
    message: str


@dataclass
class SimilarFound(Message):
    text: str
    seen: list[Seen]
    lessons: list[Lesson]



class ReportScreen(KioskScreen[None]):
    """The operator's quick report."""

    BINDINGS = [
        Binding("enter", "next", N_("Next")),
        Binding("escape", "back", N_("Back")),
        Binding("1", "pick_kind(0)", N_("Choose"), key_display="1-4"),
        Binding("2", "pick_kind(1)", show=False),
        Binding("3", "pick_kind(2)", show=False),
        Binding("4", "pick_kind(3)", show=False),
        Binding("up", "move_area(-1)", N_("Choose area"), key_display="↑↓"),
        Binding("down", "move_area(1)", show=False),
        Binding("f5", "same(0)", N_("It is the same"), key_display="f5-f7"),
        Binding("f6", "same(1)", show=False),
        Binding("f7", "same(2)", show=False),
    ]

    step = reactive(0, init=False)
    saving = reactive(False, init=False)

    #: Seconds of no typing before looking for similar records (typing is never slowed).
    SIMILAR_DELAY = 0.4

    def __init__(self) -> None:
        super().__init__()
        self.kind = ""
        self.area = ""
        self.seen: list[Seen] = []
        self.lessons: list[Lesson] = []  # lessons of closed work items like what is typed
        self.same_as = ""  # a past record the operator marked as the same thing
        self._similar_timer: Timer | None = None
        self._visible_areas: list[str] = []
        self._visible_stations: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="report"):
            yield Static("", id="step-heading", markup=False)
            with ContentSwitcher(initial="step-kind", id="steps"):
                with Vertical(id="step-kind", classes="step"):
                    yield KioskOptionList(id="kinds")
                with Vertical(id="step-area", classes="step"):
                    yield KioskInput(id="area-filter", max_length=60)
                    yield KioskOptionList(id="areas")
                    yield Static("", id="area-chosen", markup=False)
                    yield TLabel(N_("Station or machine (optional: type it, or Enter to skip)"),
                                 classes="field-label", id="label-station")
                    yield KioskInput(id="station", max_length=REPORT_LIMITS["station"].max_chars)
                    yield KioskOptionList(id="stations")
                with Vertical(id="step-what", classes="step"):
                    yield TLabel("", classes="hint", id="what-hint")
                    yield TLabel(field_label("what_happened"), classes="field-label", id="label-what_happened")
                    yield ReportTextArea(id="what_happened", max_length=REPORT_LIMITS["what_happened"].max_chars)
                    yield Static("", id="count-what_happened", classes="counter", markup=False)
                    yield TLabel(field_label("impact"), classes="field-label", id="label-impact")
                    yield ReportTextArea(id="impact", max_length=REPORT_LIMITS["impact"].max_chars)
                    yield Static("", id="count-impact", classes="counter", markup=False)
                    yield Static("", id="seen-before", markup=False)
                with Vertical(id="step-did", classes="step"):
                    yield TLabel("", classes="hint", id="did-hint")
                    yield ReportTextArea(id="what_we_did", max_length=REPORT_LIMITS["what_we_did"].max_chars)
                    yield Static("", id="count-what_we_did", classes="counter", markup=False)
                with Vertical(id="step-name", classes="step"):
                    yield TLabel(N_("The report can be anonymous: leave the name empty. "
                                    "Only supervisors see names."), classes="hint")
                    yield KioskInput(id="reporter", max_length=REPORT_LIMITS["reporter"].max_chars)
                    yield Static("", id="count-reporter", classes="counter", markup=False)
                with Vertical(id="step-confirm", classes="step"):
                    yield Static("", id="summary")
            yield Static("", id="report-error", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self._fill_kinds()
        self._fill_areas("")
        self._fill_stations("")
        self._show_station(False)
        self.retranslate()
        self._focus_step()

    # -- language ------------------------------------------------------------------------

    def retranslate(self) -> None:
        number = self.step + 1
        step_id, heading = STEPS[self.step]
        self.query_one("#step-heading", Static).update(
            _("Step {number} of {total} · {heading}").format(number=number, total=len(STEPS), heading=_(heading))
        )
        self.query_one("#area-filter", KioskInput).placeholder = _("Type to filter the areas")
        self.query_one("#area-chosen", Static).update(
            _("Area: {area} (Esc to change it)").format(area=self.area) if self.area else "")
        self.query_one("#reporter", KioskInput).placeholder = _("Anonymous")
        win = self.kind == "win"
        self.query_one("#what_happened", ReportTextArea).placeholder = (
            _("e.g. Preparing the change-over kit before stopping saved us 20 minutes") if win
            else _("e.g. The label printer jammed and 40 boxes left without a label"))
        self.query_one("#station", KioskInput).placeholder = _("e.g. Injection press 3")
        self.query_one("#what-hint", TLabel).message = (
            N_("What went well, and what it made possible.") if win
            else N_("Facts and impact, without looking for someone to blame."))
        self.query_one("#did-hint", TLabel).message = (
            N_("What helped it go well, if you know. You can leave it empty.") if win
            else N_("What was done to contain it, if anything. You can leave it empty."))
        for hint in ("#what-hint", "#did-hint"):
            self.query_one(hint, TLabel).retranslate()
        kinds = self.query_one("#kinds", KioskOptionList)
        highlighted = kinds.highlighted
        self._fill_kinds()
        kinds.highlighted = highlighted
        for name in ("what_happened", "impact", "what_we_did", "reporter"):
            self._update_counter(name)
        self._show_seen()
        if step_id == "confirm":
            self._show_summary()

    def describe_binding(self, binding: Binding) -> str | None:
        if binding.action == "next" and STEPS[self.step][0] == "confirm":
            return _("Save")
        return None

    # -- steps ---------------------------------------------------------------------------

    def watch_step(self) -> None:
        self.query_one("#steps", ContentSwitcher).current = f"step-{STEPS[self.step][0]}"
        self._clear_error()
        self.retranslate()
        self._focus_step()
        self.refresh_bindings()

    def _focus_step(self) -> None:
        focus = {
            "kind": "#kinds",
            "area": "#station" if self.query_one("#station").display else "#area-filter",
            "what": "#what_happened",
            "did": "#what_we_did",
            "name": "#reporter",
        }.get(STEPS[self.step][0])
        if focus:
            self.query_one(focus).focus()
        else:
            self.set_focus(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        step_id = STEPS[self.step][0]
        if action == "pick_kind":
            return step_id == "kind"
        if action == "move_area":
            return step_id == "area" and self.focused is not None and self.focused.id in ("area-filter", "station")
        if action == "same":
            index = parameters[0] if parameters else 0
            return step_id == "what" and isinstance(index, int) and len(self.seen) > index
        if action == "next" and self.saving:
            return None  # shown, but disabled while the save runs
        return True

    def _fill_kinds(self) -> None:
        kinds = self.query_one("#kinds", KioskOptionList)
        kinds.set_options(
            Option(f"{n}  {kind_label(kind)} — {_(KIND_HINTS[kind])}", id=kind)
            for n, kind in enumerate(KINDS, 1)
        )
        if kinds.highlighted is None:
            kinds.highlighted = 0

    def _fill_areas(self, text: str) -> None:
        """Nothing is chosen until the operator types or moves: a quick Enter must not file a
        report under whichever area happens to come first (walk item 22)."""
        wanted = fold(text.strip())
        areas = [a for a in self.kiosk.config.areas if wanted in fold(a)]
        option_list = self.query_one("#areas", KioskOptionList)
        option_list.set_options(Option(plain(a), id=f"area-{i}") for i, a in enumerate(areas))
        self._visible_areas = areas
        option_list.highlighted = 0 if areas and wanted else None

    def _fill_stations(self, text: str) -> None:
        wanted = fold(text.strip())
        stations = [s for s in self.kiosk.config.stations if wanted in fold(s)]
        option_list = self.query_one("#stations", KioskOptionList)
        option_list.set_options(Option(plain(s), id=f"station-{i}") for i, s in enumerate(stations))
        self._visible_stations = stations
        option_list.display = bool(stations) and self.query_one("#station").display
        option_list.highlighted = 0 if stations and wanted else None

    def _show_station(self, shown: bool) -> None:
        """The station question comes once the area is chosen (its own Enter moves on)."""
        for selector in ("#label-station", "#station", "#area-chosen"):
            self.query_one(selector).display = shown
        self.query_one("#stations").display = shown and bool(self._visible_stations)
        # The area just chosen stays in sight, in words, instead of the filter and its list.
        self.query_one("#area-chosen", Static).update(
            _("Area: {area} (Esc to change it)").format(area=self.area) if shown else "")
        for selector in ("#areas", "#area-filter"):
            self.query_one(selector).display = not shown

    # -- events --------------------------------------------------------------------------

    @on(KioskInput.Changed, "#area-filter")
    def filter_areas(self, event: KioskInput.Changed) -> None:
        self._fill_areas(event.value)

    @on(KioskInput.Changed, "#station")
    def filter_stations(self, event: KioskInput.Changed) -> None:
        self._fill_stations(event.value)

    @on(KioskOptionList.OptionSelected, "#stations")
    def station_selected(self, event: KioskOptionList.OptionSelected) -> None:
        self._choose_station(event.option_index)

    @on(KioskInput.Submitted, "#station")
    def station_submitted(self) -> None:
        self._choose_station(self.query_one("#stations", KioskOptionList).highlighted)

    @on(KioskInput.Changed, "#reporter")
    def reporter_changed(self) -> None:
        self._update_counter("reporter")

    @on(ReportTextArea.Changed)
    def text_changed(self, event: ReportTextArea.Changed) -> None:
        self._update_counter(event.text_area.id or "")
        self._clear_error()
        if event.text_area.id == "what_happened":
            if self._similar_timer is not None:
                self._similar_timer.stop()
            self._similar_timer = self.set_timer(self.SIMILAR_DELAY, self._ask_similar)

    # -- have we seen this before? ---------------------------------------------------------

    def _ask_similar(self) -> None:
        self.find_similar(self._value("what_happened"), self.area)

    @work(thread=True, exclusive=True, exit_on_error=False, group="similar")
    def find_similar(self, text: str, area: str) -> None:
        repo = self.kiosk.repo
        self.post_message(SimilarFound(text, look_up(repo, text, area=area), lessons_like(repo, text, area=area)))

    @on(SimilarFound)
    def similar_found(self, message: SimilarFound) -> None:
        if message.text != self._value("what_happened"):
            return  # typed on since: a newer search is on its way
        self.seen, self.lessons = message.seen, message.lessons
        if self.same_as and self.same_as not in [s.id for s in self.seen]:
            self.same_as = ""
        self._show_seen()
        self.refresh_bindings()

    def action_same(self, index: int) -> None:
        if index < len(self.seen):
            chosen = self.seen[index].id
            self.same_as = "" if self.same_as == chosen else chosen
            self._show_seen()

    def _show_seen(self) -> None:
        box = self.query_one("#seen-before", Static)
        box.display = bool(self.seen or self.lessons)
        if self.seen or self.lessons:
            box.update(plain(describe(self.seen, self.same_as, self.lessons)))

    @on(KioskOptionList.OptionSelected, "#kinds")
    def kind_selected(self, event: KioskOptionList.OptionSelected) -> None:
        self.kind = event.option.id or ""
        self.step = 1

    @on(KioskOptionList.OptionSelected, "#areas")
    def area_selected(self, event: KioskOptionList.OptionSelected) -> None:
        self._choose_area(event.option_index)

    @on(KioskInput.Submitted, "#area-filter")
    def area_submitted(self) -> None:
        self._choose_area(self.query_one("#areas", KioskOptionList).highlighted)

    @on(ReportTextArea.Submitted)
    def text_submitted(self, event: ReportTextArea.Submitted) -> None:
        if event.text_area.id == "what_happened":
            self.query_one("#impact").focus()
        else:
            self.action_next()

    @on(KioskInput.Submitted, "#reporter")
    def name_submitted(self) -> None:
        self.action_next()

    @on(TextClipped)
    def text_clipped(self, event: TextClipped) -> None:
        event.stop()  # said here, next to the field (not also as a notification)
        self._show_error(
            _("That was too long for this field: {count} characters were left out.").format(count=event.dropped)
        )

    # -- actions -------------------------------------------------------------------------

    def action_pick_kind(self, index: int) -> None:
        self.kind = KINDS[index]
        self.query_one("#kinds", KioskOptionList).highlighted = index
        self.step = 1

    def action_move_area(self, delta: int) -> None:
        on_station = self.focused is not None and self.focused.id == "station"
        option_list = self.query_one("#stations" if on_station else "#areas", KioskOptionList)
        if delta < 0:
            option_list.action_cursor_up()
        else:
            option_list.action_cursor_down()

    def action_back(self) -> None:
        if self.saving:
            return
        if STEPS[self.step][0] == "area" and self.query_one("#station").display:
            self._show_station(False)  # back to the area list, the area still chosen
            self.query_one("#area-filter").focus()
        elif self.step > 0:
            self.step -= 1
        elif not self.typed_anything():
            leave(self)
        else:  # one Esc too many must not cost the operator the whole report
            from kiosk.screens.dialogs.confirm import ConfirmDialog

            def answered(discard: bool | None) -> None:
                if discard:
                    leave(self)

            self.app.push_screen(ConfirmDialog(
                N_("Discard the report?"),
                N_("What you wrote is thrown away. Esc goes back to the report."),
                yes=N_("Discard"), no=N_("Back to the report")), answered)

    def typed_anything(self) -> bool:
        return any(self._value(name).strip()
                   for name in ("what_happened", "impact", "what_we_did", "reporter", "station"))

    def action_next(self) -> None:
        if self.saving:
            return
        step_id = STEPS[self.step][0]
        if step_id == "kind":
            kinds = self.query_one("#kinds", KioskOptionList)
            if kinds.highlighted is not None:
                self.action_pick_kind(kinds.highlighted)
        elif step_id == "area":
            if self.query_one("#station").display:
                self._choose_station(self.query_one("#stations", KioskOptionList).highlighted)
            else:
                self._choose_area(self.query_one("#areas", KioskOptionList).highlighted)
        elif step_id == "what":
            if self._check_fields("what_happened", "impact"):
                self.step += 1
        elif step_id == "did":
            if self._check_fields("what_we_did"):
                self.step += 1
        elif step_id == "name":
            if self._check_fields("reporter"):
                self.step += 1
        elif step_id == "confirm":
            self._save()

    # -- helpers -------------------------------------------------------------------------

    def _choose_area(self, index: int | None) -> None:
        if index is None or index >= len(self._visible_areas):
            self._show_error(_("Choose an area from the list: ↑↓, or type to filter it."))
            return
        self.area = self._visible_areas[index]
        self._clear_error()
        self._show_station(True)
        self.query_one("#station").focus()

    def _choose_station(self, index: int | None) -> None:
        """A station picked from the list, or whatever was typed (or none): then step 3."""
        station = self.query_one("#station", KioskInput)
        typed = station.value.strip()
        if index is not None and index < len(self._visible_stations) and (
                not typed or fold(typed) != fold(self._visible_stations[index])):
            station.value = self._visible_stations[index]
        self.step = 2

    def draft(self) -> ReportDraft:
        text = {name: self._value(name) for name in ("what_happened", "impact", "what_we_did", "reporter", "station")}
        return ReportDraft(kind=self.kind, area=self.area, **text)

    def _value(self, name: str) -> str:
        widget = self.query_one(f"#{name}")
        if isinstance(widget, ReportTextArea):
            return widget.text
        return self.query_one(f"#{name}", KioskInput).value

    def _check_fields(self, *names: str) -> bool:
        """Validate the fields of this step with the same rules as the save."""
        try:
            clean_report(self.draft(), None)
        except ValidationError as error:
            if error.field in names:
                self._show_error(describe_error(error))
                widget = self.query_one(f"#{error.field}")
                widget.focus()
                return False
        return True

    def _update_counter(self, name: str) -> None:
        length = len(clean_text(self._value(name)))
        limit = REPORT_LIMITS[name]
        self.query_one(f"#count-{name}", Static).update(
            f"{length}/{limit.max_chars} · {limit_hint(name)}"
        )

    def _show_summary(self) -> None:
        draft = self.draft()
        rows = [
            (field_label("kind"), kind_label(draft.kind)),
            (field_label("area"), draft.area),
            (field_label("station"), clean_text(draft.station) or "—"),
            (field_label("what_happened"), clean_text(draft.what_happened, multiline=True)),
            (field_label("impact"), clean_text(draft.impact, multiline=True) or "—"),
            (field_label("what_we_did"), clean_text(draft.what_we_did, multiline=True) or "—"),
            (field_label("reporter"), clean_text(draft.reporter) or _("anonymous")),
        ]
        if self.same_as:
            rows.append((_("The same as"), self.same_as))
        text = "\n".join(f"{label}: {value}" for label, value in rows)
        text += "\n\n" + _("Press Enter to save, Esc to change something.")
        self.query_one("#summary", Static).update(plain(text))

    def _show_error(self, message: str) -> None:
        self.query_one("#report-error", Static).update(plain(message))
        self.add_class("has-error")

    def _clear_error(self) -> None:
        if self.has_class("has-error"):
            self.query_one("#report-error", Static).update("")
            self.remove_class("has-error")

    # -- saving --------------------------------------------------------------------------

    def _save(self) -> None:
        self.saving = True
        self.query_one("#report-error", Static).update(plain(_("Saving…")))
        self.save_report(self.draft(), self.same_as)

    def watch_saving(self) -> None:
        self.refresh_bindings()

    def is_saving(self) -> bool:
        return self.saving

    @work(thread=True, exit_on_error=False, group="save")
    def save_report(self, draft: ReportDraft, same_as: str = "") -> None:
        try:
            record = self.kiosk.repo.add_report(draft, areas=self.kiosk.config.areas, same_as=same_as)
        except ValidationError as error:
            self.post_message(ReportFailed(describe_error(error)))
        except StorageFull:
            self.post_message(ReportFailed(
                _("Not saved: the disk is full. Your report is still here; call the person in "
                  "charge of the kiosk, then press Enter to try again.")))
        except StorageError as error:
            self.post_message(ReportFailed(
                _("Not saved: the data could not be written ({error}). Your report is still "
                  "here; press Enter to try again.").format(error=describe_storage_problem(error))))
        except Exception as error:  # shown plainly, logged, report kept
            logging.getLogger("kiosk").exception("saving a report failed")
            self.post_message(ReportFailed(
                _("Not saved because of an unexpected error ({error}). Your report is still "
                  "here; press Enter to try again.").format(error=type(error).__name__)))
        else:
            self.post_message(ReportSaved(record))

    @on(ReportSaved)
    def report_saved(self, message: ReportSaved) -> None:
        from kiosk.screens.saved import SavedScreen

        self.saving = False
        self.app.switch_screen(SavedScreen(message.record))

    @on(ReportFailed)
    def report_failed(self, message: ReportFailed) -> None:
        self.saving = False
        self._show_error(message.message)
