"""A Learning Team's one-page story, as data (:class:`kiosk.views.onepage.Block`): the same page
on the kiosk's screen, in the Markdown export and on the phone page behind its QR code.

Names (the facilitator's, the participants', who said a note, a change's owner) are for
supervisors and exports; phones and slips never see them (``show_names=False``).
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk import i18n
from kiosk.core.teams import ACTUAL, LENSES, PROCEDURE, Phase, Team, side_by_side
from kiosk.i18n import N_, _
from kiosk.views.dates import format_date
from kiosk.views.labels import CHANGE_STATE_LABELS, FIELD_LABELS, LENS_LABELS, PHASE_LABELS, USE_LABELS
from kiosk.views.onepage import ANONYMOUS, HISTORY, LOOK_FOR, OUTCOME_LABELS, Block

LEARNED = N_("What we learned about work as done")
PARKED = N_("Ideas parked for Solve")
DEFENCES = N_("Defences we already have")
CHANGES = N_("What we are changing")
SIDE_BY_SIDE = N_("The procedure says / we actually do")
REFLECTIONS = N_("Reflections while soaking")


def team_title(team: Team, tr: Callable[[str], str] = _) -> str:
    return f"{team.id} · {tr(LEARNING_TEAM)} · {team.title}"


LEARNING_TEAM = N_("Learning Team")


def team_page(team: Team, *, show_names: bool = True, translate: Callable[[str], str] | None = None,
              language: str = "", history: bool = True) -> list[Block]:
    """The story: title, use, area, what was learned (notes by lens, the procedure and the
    practice side by side), defences, changes, look-fors. ``translate``/``language`` as in
    :func:`kiosk.views.onepage.one_page`."""
    tr = translate or _
    language = language or i18n.language()

    def day(value: str) -> str:
        return format_date(value[:10], language) if value else "-"

    def label(table: dict[str, str], key: str) -> str:
        return tr(table[key]) if key in table else key

    blocks = [
        Block("title", team_title(team, tr)),
        Block("field", label(USE_LABELS, team.use), label(FIELD_LABELS, "use")),
        Block("field", team.area, label(FIELD_LABELS, "area")),
        Block("field", label(PHASE_LABELS, team.phase), label(FIELD_LABELS, "phase")),
        Block("field", format_date(team.created_at, language, with_time=True), tr("Opened")),
    ]
    if team.records:
        blocks.append(Block("field", ", ".join(team.records), label(FIELD_LABELS, "records")))
    if show_names:
        blocks.append(Block("field", team.facilitator, label(FIELD_LABELS, "facilitator")))
        if team.participants:
            blocks.append(Block("field", ", ".join(team.participants), label(FIELD_LABELS, "participants")))
    if team.people and not (show_names and team.participants):
        blocks.append(Block("field", str(team.people), label(FIELD_LABELS, "participant_count")))

    def said(note_by: str) -> str:
        return f" ({note_by or tr(ANONYMOUS)})" if show_names else ""

    blocks.append(Block("heading", tr(LEARNED)))
    for lens in LENSES:
        if lens in (PROCEDURE, ACTUAL):
            continue
        notes = team.notes_in(lens)
        if notes:
            blocks.append(Block("note", notes[0].text + said(notes[0].by), label(LENS_LABELS, lens)))
            blocks += [Block("noteline", n.text + said(n.by), label(LENS_LABELS, lens)) for n in notes[1:]]
    pairs = side_by_side(team)
    if pairs:
        blocks.append(Block("heading", tr(SIDE_BY_SIDE)))
        for says, does in pairs:
            blocks += [Block("note", says or "-", label(LENS_LABELS, PROCEDURE)),
                       Block("noteline", does or "-", label(LENS_LABELS, ACTUAL))]
    if not any(note.lens in LENSES for note in team.notes):
        blocks.append(Block("text", "-"))
    reflections = team.notes_in("reflection")
    if reflections:
        blocks.append(Block("heading", tr(REFLECTIONS)))
        blocks += [Block("bullet", n.text + said(n.by)) for n in reflections]
    if team.ideas and team.phase in (Phase.LEARN, Phase.SOAK, Phase.SOLVE):
        blocks.append(Block("heading", tr(PARKED)))
        blocks += [Block("bullet", idea.text) for idea in team.ideas]
    if team.defences:
        blocks.append(Block("heading", tr(DEFENCES)))
        blocks += [Block("bullet", defence) for defence in team.defences]
    if team.changes:
        blocks.append(Block("heading", tr(CHANGES)))
        for change in team.changes:
            owner = change.action.owner if show_names else tr("{area} supervision").format(area=team.area)
            blocks.append(Block("bullet", change.action.text))
            blocks.append(Block("line", tr("Owner: {owner} · Deadline: {deadline} · Follow-up: {follow_up}").format(
                owner=owner or "-", deadline=day(change.action.deadline), follow_up=day(change.follow_up_date))
                + f" · {label(CHANGE_STATE_LABELS, change.state)}"))
            for follow_up in change.follow_ups:
                outcome = tr(OUTCOME_LABELS[follow_up.outcome]).format(date=day(follow_up.new_date))
                blocks.append(Block("line", f"{day(follow_up.at)} · {outcome}"
                                    + (f" — {follow_up.notes}" if follow_up.notes else "")))
    for line in team.look_fors:
        areas = ", ".join(line.areas) if line.areas else tr("every area")
        blocks.append(Block("quote", f"{line.text} ({areas})", tr(LOOK_FOR)))
    if show_names and history and team.history:
        from kiosk.views.labels import ACTOR_LABELS, history_line

        blocks.append(Block("heading", tr(HISTORY)))
        blocks += [Block("bullet", f"{format_date(h.at, language, with_time=True)} · {label(ACTOR_LABELS, h.by)} · "
                                   f"{history_line(h, tr)}") for h in team.history]
    return blocks
