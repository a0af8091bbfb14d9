"""Class mode (issue 25): a lecturer leads a class, the students follow the lecturer's view and answer the
predict-then-reveal questions together. No Streamlit here: the rules are :class:`Classroom`, the state lives in a
store shared by every server process (:mod:`core.classroom.backends`: SQLite for one machine, Redis for several).

One class, as the store keeps it:

* a short **code** the students type or scan (``K7P-3QX``: six letters and digits, none that reads as another);
* the **lecturer's token**, an unguessable secret kept in the lecturer's session; the store keeps only its sha256, so
  reading the store does not give control of a class;
* the **view** the lecturer shows (a page and its shareable settings) with a version that grows by one per push;
* the **question** open to the class (its key, how many choices, a round number that grows by one per opening, and
  whether it is open or revealed), the **answers** of each round (one per student, anonymous: a random id per
  session), and the **members** (an optional nickname, shown only with the student's consent).

A class expires after :data:`EXPIRY` seconds without a lecturer's action, a join or an answer.
"""

from core.classroom.backends import Backend, open_backend
from core.classroom.classes import (
    EXPIRY,
    Classroom,
    Question,
    Refused,
    format_code,
    new_student,
    normalise_code,
)

__all__ = ["EXPIRY", "Backend", "Classroom", "Question", "Refused", "format_code", "new_student", "normalise_code",
           "open_backend"]
