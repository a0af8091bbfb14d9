"""Class mode in the app (issue 25): the lecturer leads, the class follows and answers. The rules and the store are
:mod:`core.classroom`; this module is the sidebar's panel, the following and the publishing, and the class's side of a
question (:mod:`ui.components.predict` asks it).

* **Start**: the lecturer presses "Start a class"; the session keeps the lecturer's token (never shown on the
  projector). The panel shows the code, the join link and its QR code, how many joined; a secret link (folded away)
  lets the lecturer lead again after a reload or from another device: its token leaves the address at once.
* **Join**: ``?class=CODE`` (the join link) or the code typed in the panel; a nickname is optional and shown only with
  the student's consent. The address keeps ``class=CODE``, so a reload joins again.
* **Follow**: after every run of the lecturer's script, the view (the page and its shareable settings, the ones a
  link carries: :mod:`ui.share`) is pushed when it changed. A follower's panel polls the class once a second (a
  fragment: a few milliseconds of the server) and, when the version grows, takes the lecturer's settings and page. A
  student who changes a setting or the page steps away (the panel says so) and comes back with one click.
* **Answer**: see :mod:`ui.components.predict`: the lecturer opens a question to the class, sees the answers arrive
  as a bar chart, reveals; a student's answer goes to the store (anonymous, once per round) and the verdict waits for
  the reveal.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitAPIException

from core.classroom import Classroom, Question, Refused, format_code, new_student, normalise_code, open_backend
from core.classroom.backends import ENV
from core.classroom.classes import STUDENT as STUDENT_ID
from ui.i18n import KEY as LANGUAGE
from ui.i18n import tr
from ui.keys import FILM_URLS
from ui.navigation import ROADMAP, page_at
from ui.present import KEY as PRESENT
from ui.share import bound_keys

CODE = "class"
"""Session key and address parameter: the code of the class this session is in (the address keeps it)."""
LEAD = "lead"
"""Address parameter of the lecturer's secret link (taken out of the address as soon as it is read)."""
TOKEN = "class_token"
"""Session key: the lecturer's token (only in the lecturer's session)."""
STUDENT = "class_student"
"""Session key: this session's anonymous id in the class."""
FOLD = "class_fold"
"""Session key: the student has just joined by the code typed in the sidebar (a phone folds it, once)."""
FOLLOW = "class_follow"
"""Session key: whether this student follows the lecturer now."""
APPLIED = "class_applied"
"""Session key: the version of the lecturer's view this student last took."""
APPLYING = "class_applying"
"""Session key: set while a run takes the lecturer's view (that run is not the student stepping away)."""
PUBLISHED = "class_published"
"""Session key: the view this lecturer pushed last."""
PENDING = "class_pending"
"""Session key: the lecturer's settings a follower takes at the start of the next run."""
PAGE = "class_page"
"""Session key: the page this session's last run drew (the class panel's fragment reads it)."""
SEEN = "class_seen"
"""Session key: the question's state as this student's page last drew it (a change redraws the page)."""
ANSWERS = "class_answers"
"""Session key: ``{(code, round): choice}``, this student's answers."""
RESERVED = (CODE, LEAD, PRESENT, LANGUAGE)
"""Address parameters that are the session's own, never pushed to the class."""
POLL = 1.0
"""Seconds between a follower's looks at the class (a lecturer's move reaches the class within about this)."""


@st.cache_resource(show_spinner=False)
def _room(url: str | None) -> Classroom:
    return Classroom(open_backend(url))


def room() -> Classroom:
    """The class store of this server (``$DIFFUSION_PLAYGROUND_CLASSES``), shared by every session."""
    return _room(os.environ.get(ENV))


def code() -> str | None:
    return st.session_state.get(CODE) or None


def leading() -> bool:
    """Whether this session leads a class (holds its lecturer's token)."""
    return bool(code() and st.session_state.get(TOKEN))


def following() -> bool:
    return bool(code() and not leading() and st.session_state.get(FOLLOW, True))


def _client() -> str:
    """Who counts as one client for the wrong-code limit: the address nginx saw (``X-Real-IP``, set by our proxy),
    else the connection's, else this session."""
    ip = st.context.ip_address
    if ip in (None, "127.0.0.1", "::1"):
        ip = st.context.headers.get("X-Real-IP") or ip
    return ip or st.session_state.setdefault(STUDENT, new_student())


def _leave(message: str | None = None) -> None:
    for key in (CODE, TOKEN, FOLLOW, APPLIED, PUBLISHED, SEEN):
        st.session_state.pop(key, None)
    st.query_params.pop(CODE, None)
    if message:
        st.toast(message, icon=":material/group_off:")


def _settle() -> None:
    """The lecturer's view a follower is taking (:func:`_take`), before the page's widgets: the settings the lecturer
    left at their default go back to theirs, the others are set, and each film opens at the lecturer's frame."""
    view = st.session_state.pop(PENDING, None)
    if view is None:
        return
    state, films = view.get("state", {}), view.get("films", {})
    for key in list(st.query_params.to_dict()):
        if key in st.session_state.get(FILM_URLS, set()) and key not in films:  # a film at the lecturer's first frame
            st.query_params.pop(key, None)
    for key, value in films.items():
        try:
            st.query_params[key] = str(value)  # a film opens where its address says (ui.components.film.start_index)
        except StreamlitAPIException:  # a name a widget holds: not a film's
            pass
    for key, value in state.items():
        if key not in RESERVED:
            try:
                st.session_state[key] = value
            except StreamlitAPIException:  # a widget whose state cannot be set (a button): the rest still follows
                pass


def arrive() -> None:
    """Before the page (``app.py``, before the link is read): a join link (``?class=CODE``) joins the class, a
    lecturer's secret link (``&lead=TOKEN``) gives back the lead; a class that ended is left."""
    asked = st.query_params.get(CODE)
    token = st.query_params.get(LEAD)
    if token is not None:
        del st.query_params[LEAD]  # never left in the address (nor on the projector)
    if asked is not None and normalise_code(asked) != code():
        _join(asked, token=token)
    elif code() and not room().exists(code()):
        _leave(tr("class.ended"))
    if code():
        st.query_params[CODE] = code()
        _settle()


def _join(text: str, nickname: str = "", show: bool = False, token: str | None = None) -> bool:
    student = st.session_state.setdefault(STUDENT, new_student())
    try:
        joined = room().join(text, student, _client(), nickname=nickname, show=show)
    except Refused as err:
        st.query_params.pop(CODE, None)
        st.session_state.pop(CODE, None)
        st.toast(tr(f"class.refused.{err.reason}"), icon=":material/block:")
        return False
    st.session_state[CODE] = joined
    st.query_params[CODE] = joined
    st.session_state[FOLLOW] = True
    st.session_state.pop(APPLIED, None)
    st.session_state.pop(TOKEN, None)
    if token is not None and room().leads(joined, token):
        _lead_again(joined, token)
    return True


def _start() -> None:
    new, token = room().start()
    st.session_state.update({CODE: new, TOKEN: token})
    st.session_state.pop(PUBLISHED, None)
    st.query_params[CODE] = new


def _end() -> None:
    try:
        room().end(code(), st.session_state.get(TOKEN))
    except Refused:
        pass
    _leave(tr("class.ended_by_you"))


def _join_typed() -> None:
    if _join(st.session_state.get("class_join_code", ""), st.session_state.get("class_join_nick", "").strip(),
             bool(st.session_state.get("class_join_show"))):
        st.session_state[FOLD] = True  # typed in the sidebar: on a phone it folds once joined (the keeper's script)


def _back() -> None:
    st.session_state[FOLLOW] = True
    st.session_state.pop(APPLIED, None)  # the next look takes the lecturer's view again


# -- the view ------------------------------------------------------------------------------------------------------
def current_view(page: str) -> dict:
    """This session's view: the page, its shareable settings (the widgets a link sets, with their values) and the
    frames its films show (their address parameters)."""
    films_here, address = st.session_state.get(FILM_URLS, set()), st.query_params.to_dict()
    films = {k: v for k, v in address.items() if k in films_here and k not in RESERVED}
    state = {}
    for key in (bound_keys() | set(address)) - set(films) - set(RESERVED):  # defaults too: a follower goes back to them
        if key in st.session_state:
            value = st.session_state[key]
            if isinstance(value, bool | int | float | str) or (isinstance(value, list | tuple)
                                                                and all(isinstance(v, bool | int | float | str) for v in value)):
                state[key] = list(value) if isinstance(value, tuple) else value
    return {"page": page, "state": state, "films": films}


def _push(page: str) -> None:
    """The lecturer's view, to the class, when it changed since the last push."""
    view = current_view(page)
    if view != st.session_state.get(PUBLISHED):
        try:
            room().push(code(), st.session_state[TOKEN], view)
            st.session_state[PUBLISHED] = view
        except Refused:
            _leave(tr("class.ended"))


def publish(page: str) -> None:
    """After the page (``app.py``): the lecturer's view, pushed to the class when it changed (a control inside a
    fragment is pushed by the panel's own fragment, :func:`_lead`); a student who changed page or a setting by
    themselves stops following (:func:`panel` offers the way back)."""
    if not code():
        return
    st.session_state[PAGE] = page
    if leading():
        _push(page)
        return
    if st.session_state.pop(APPLYING, False) or not following():
        return
    looked = room().view(code())
    if looked and looked[0] and not _matches(current_view(page), looked[1]):
        st.session_state[FOLLOW] = False
        st.toast(tr("class.stepped_away"), icon=":material/explore:")
        st.rerun()  # once: the panel and the status line above the page, drawn before this was known, say it


def _matches(mine: dict, lecturer: dict) -> bool:
    """Whether this session shows the lecturer's view (the same page, settings and films; none of its own)."""
    state, films = lecturer.get("state", {}), lecturer.get("films", {})
    return (mine["page"] == lecturer.get("page") and all(st.session_state.get(k) == v for k, v in state.items())
            and set(mine["state"]) <= set(state)
            and {k: str(v) for k, v in mine["films"].items()} == {k: str(v) for k, v in films.items()})


def _take(view: dict, page: str) -> None:
    """Go where the lecturer is: their page (or this one, run again), whose run takes their view first
    (:func:`_settle`: set before the widgets are drawn, so the browser is told their new values)."""
    st.session_state[PENDING] = view
    st.session_state[APPLYING] = True
    target = view.get("page")
    if target is not None and target != page and (where := page_at(target)) is not None:
        # a new page's address: the session's own parameters and the lecturer's films (a widget's parameter cannot be
        # cleared by hand: Streamlit refuses, and the widget writes its own when the page draws it)
        kept = {k: v for k, v in st.query_params.to_dict().items() if k in RESERVED}
        st.switch_page(where, query_params={**kept, **{k: str(v) for k, v in view.get("films", {}).items()}})
    st.rerun(scope="app")


@st.fragment(run_every=POLL)
def _lead() -> None:
    """The lecturer's panel, once a second: the view pushed if a control inside one of the page's fragments changed it
    (those do not run the whole script), and how many students joined, live."""
    if not leading():
        return
    _push(st.session_state.get(PAGE, ""))
    joined, names = room().members(code())
    st.caption(tr("class.joined", n=joined) + (f" ({', '.join(names)})" if names else ""))


@st.fragment(run_every=POLL)
def _watch() -> None:
    """A student's look at the class, once a second: the lecturer's new view (while following), the question opened,
    revealed or closed (the page draws it again), the class ended."""
    if not code() or leading():
        return
    page = st.session_state.get(PAGE, "")
    looked = room().look(code())
    if looked is None:
        _leave(tr("class.ended"))
        st.rerun(scope="app")
    version, view, q = looked
    seen = (q.key, q.round, q.revealed) if q else None
    if seen != st.session_state.get(SEEN):
        st.session_state[SEEN] = seen
        st.rerun(scope="app")
    if following() and version and version != st.session_state.get(APPLIED):
        st.session_state[APPLIED] = version
        if not _matches(current_view(page), view):
            _take(view, page)


# -- the browser remembers ---------------------------------------------------------------------------------------
_KEEPER_JS = """
export default function({ data, setTriggerValue }) {
    const lead = `dp-class-lead-${data.code}`, me = `dp-class-student-${data.code}`;
    try {
        const store = window.localStorage;
        if (data.token) { store.setItem(lead, data.token); return; }
        const token = store.getItem(lead), before = store.getItem(me);
        if (data.fold && window.innerWidth < 768) {  // a phone: the sidebar where the code was typed folds
            setTimeout(() => document.querySelector('[data-testid="stSidebarCollapseButton"] button')?.click(), 300);
        }
        if (token) setTriggerValue("lead", token);
        else if (before && before !== data.student) setTriggerValue("student", before);
        else if (!before) store.setItem(me, data.student);
    } catch (e) {}  // storage refused (a private window): the secret link still gives the lead back
}
"""
_keeper = st.components.v2.component("dp_class_keeper", js=_KEEPER_JS)


def _remember(here: str) -> None:
    """What the browser keeps across a reload (its local storage, never on the page; a reload, or the server
    restarting, opens a new session that joins again by the address):

    * the lecturer's token: the new session leads again, where the class is;
    * a student's anonymous id: the new session answers as the same student (one answer per round still holds).
    A student's browser holds no token."""
    if leading():
        _keeper(data={"code": here, "token": st.session_state[TOKEN]}, key="dp_class_keeper")
        return
    me = st.session_state.setdefault(STUDENT, new_student())
    result = _keeper(data={"code": here, "student": me, "fold": st.session_state.pop(FOLD, False)}, key="dp_class_keeper",
                     on_lead_change=lambda: None,
                     on_student_change=lambda: None)
    token, before = getattr(result, "lead", None), getattr(result, "student", None)
    if isinstance(token, str) and room().leads(here, token):
        _lead_again(here, token)
    elif isinstance(before, str) and before != me and STUDENT_ID.match(before):
        room().forget(here, me)  # the same student, counted once
        st.session_state[STUDENT] = before
        try:
            room().join(here, before, _client())
        except Refused:  # a flood of reloads: the answers still count once (by id), the count of members may lag
            pass


def _lead_again(here: str, token: str) -> None:
    """This session leads again (a reload, the secret link): not counted as a student, and it goes where the class is
    instead of taking the class to where it opened."""
    room().forget(here, st.session_state.get(STUDENT, ""))
    st.session_state[TOKEN] = token
    looked = room().view(here)
    if looked and looked[0]:
        st.session_state[PUBLISHED] = looked[1]  # nothing to push: the class is there already
        _take(looked[1], st.session_state.get(PAGE, ""))
    st.rerun()


# -- the sidebar ---------------------------------------------------------------------------------------------------
def panel(page: str) -> None:
    """The sidebar's class panel: start or join; the lecturer's code, link and QR code; a student's following."""
    here = code()
    with st.expander(tr("class.title"), expanded=bool(here), icon=":material/groups:"):
        if not here:
            st.button(tr("class.start"), key="class_start", on_click=_start, help=tr("class.start.help"),
                      use_container_width=True)
            st.divider()
            st.text_input(tr("class.code"), key="class_join_code", max_chars=9)
            st.text_input(tr("class.nickname"), key="class_join_nick", max_chars=24, help=tr("class.nickname.help"))
            st.checkbox(tr("class.show_nick"), key="class_join_show")
            st.button(tr("class.join"), key="class_join", on_click=_join_typed, use_container_width=True)
            return
        st.session_state[PAGE] = page
        _remember(here)
        if leading():
            link = join_link()
            st.markdown(tr("class.lead", code=format_code(here)))
            _lead()  # the joined count, live; the view of controls inside fragments
            st.toggle(tr("class.banner"), key="class_banner", value=True)
            st.image(qr_png(link), width=180)
            st.code(link, language=None)
            with st.expander(tr("class.secret")):
                st.caption(tr("class.secret.help"))
                st.code(f"{link}&{LEAD}={st.session_state[TOKEN]}", language=None)
            st.button(tr("class.end"), key="class_end", on_click=_end, use_container_width=True)
            return
        st.markdown(tr("class.member", code=format_code(here)))
        if following():
            st.caption(tr("class.following"))
        else:
            st.caption(tr("class.away"))
            st.button(tr("class.back"), key="class_back", on_click=_back, type="primary", use_container_width=True)
        st.button(tr("class.leave"), key="class_leave", on_click=_leave, use_container_width=True)
        _watch()


def banner() -> None:
    """Above the page. On the lecturer's projector: the code and the QR code, large (the lecturer can hide it). On a
    student's screen (a phone hides the sidebar): one line, the class and whether they follow, with the way back."""
    if code() and not leading():
        with st.container(horizontal=True, vertical_alignment="center", key="class_status"):
            st.caption(tr("class.member", code=format_code(code())) + " " + tr("class.following" if following() else "class.away"))
            if not following():
                st.button(tr("class.back"), key="class_back_top", on_click=_back, type="primary", icon=":material/undo:")
        q = room().question(code())
        if q is not None and not q.revealed and my_answer(q.round) is None:  # a phone shows one screen: say it
            st.info(tr("class.question_open"), icon=":material/psychology_alt:")
        return
    if not leading() or not st.session_state.get("class_banner", True):
        return
    link = join_link()
    with st.container(border=True, key="class_banner_box"):
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.markdown(tr("class.banner.text", code=format_code(code()), link=link))
        right.image(qr_png(link), width=140)


def join_link() -> str:
    """The address a student opens to join: this server's home with ``?class=CODE``."""
    base = (st.context.url or "").split("?")[0].rstrip("/")
    for part in ("/" + p for p in _page_names()):  # the home page, not the lecturer's page
        if base.endswith(part):
            base = base[: -len(part)]
    return f"{base}/?{CODE}={code()}"


def _page_names() -> list[str]:
    return [p.page.removesuffix(".py") for p in ROADMAP if p.page]


@st.cache_data(show_spinner=False, max_entries=64)
def qr_png(text: str) -> bytes:
    """A QR code of ``text``, as PNG bytes (``segno``, pure Python)."""
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


# -- the questions -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Asked:
    """A question as the class sees it now: ``question`` is the class's open question if it is this one; ``elsewhere``,
    whether another question is open (asking this one closes it)."""

    code: str
    question: Question | None
    lecturer: bool
    elsewhere: bool = False


def asked(key: str) -> Asked | None:
    """The class's side of question ``key``, for :func:`ui.components.predict.ask` (``None`` outside a class)."""
    if not code():
        return None
    q = room().question(code())
    return Asked(code(), q if q and q.key == key else None, leading(), q is not None and q.key != key)


def open_question(key: str, choices: int) -> None:
    try:
        room().ask(code(), st.session_state.get(TOKEN), key, choices)
    except Refused as err:
        st.toast(tr(f"class.refused.{err.reason}"), icon=":material/block:")


def reveal_question() -> None:
    try:
        room().reveal(code(), st.session_state.get(TOKEN))
    except Refused as err:
        st.toast(tr(f"class.refused.{err.reason}"), icon=":material/block:")


def close_question() -> None:
    try:
        room().close(code(), st.session_state.get(TOKEN))
    except Refused as err:
        st.toast(tr(f"class.refused.{err.reason}"), icon=":material/block:")


def send_answer(round_: int, choice: int | None) -> None:
    """A student commits ``choice`` in round ``round_`` (kept in the store and, to show it back, in the session)."""
    if choice is None:
        return
    try:
        room().answer(code(), st.session_state.setdefault(STUDENT, new_student()), round_, int(choice))
    except Refused as err:
        if err.reason != "twice":
            st.toast(tr(f"class.refused.{err.reason}"), icon=":material/block:")
            return
    st.session_state.setdefault(ANSWERS, {})[(code(), round_)] = int(choice)


def my_answer(round_: int) -> int | None:
    """This student's answer in round ``round_``: the session's, else the store's (after a reload, the browser gave
    back the student's id)."""
    mine = st.session_state.get(ANSWERS, {}).get((code(), round_))
    if mine is None and (student := st.session_state.get(STUDENT)):
        mine = room().answer_of(code(), student, round_)
        if mine is not None:
            st.session_state.setdefault(ANSWERS, {})[(code(), round_)] = mine
    return mine


def tally() -> tuple[list[int], int]:
    """The counts per choice of the open question, and how many students joined."""
    return room().tally(code()), room().members(code())[0]
