"""The language of the app: English, or French (the lecture itself is partly in French).

A sidebar switch on every page (``?lang=fr`` in a link) chooses it for the session. Two mechanisms,
one per kind of text:

* the lessons: ``lessons/NAME.md`` and its French version ``lessons/fr/NAME.md``, with the same
  sections and the same mathematics (:mod:`ui.lessons`; a test holds them together);
* the short strings of the interface: the keyed table :data:`MESSAGES`, read with :func:`t`; a
  test fails when a key exists in one language and not the other. The route (page titles and
  summaries), the sidebar, the questions and the notices are in it; the pages' widget labels and
  figure titles are still English only.
"""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"en": "English", "fr": "Français"}
DEFAULT = "en"
KEY = "lang"

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "nav.home": "Home",
        "nav.lecture": "The lecture",
        "part.1": "Auto-encoders",
        "part.1.summary": "Squeeze an image into a code and rebuild it; restore damaged digits; the decoder as a (weak) generator.",
        "part.2": "Forward noising",
        "part.2.summary": "Add a little Gaussian noise, step after step, until only noise is left; the 2-pixel view of a whole dataset.",
        "part.3": "Schedules",
        "part.3.summary": "Constant, linear, cosine: how fast the signal fades, and where the steps are spent.",
        "part.4": "Training",
        "part.4.summary": "A network learns to predict the noise that was added, at random steps t.",
        "part.5": "Reverse denoising",
        "part.5.summary": "From pure noise back to an image: the one-shot guess, then DDPM's progressive steps.",
        "part.6": "Prediction targets",
        "part.6.summary": "Predict the noise, the image or the velocity? In high dimension, predicting the image wins.",
        "part.7": "Latent diffusion",
        "part.7.summary": "Run the same process in the small latent space of a VAE.",
        "part.8": "Flow matching",
        "part.8.summary": "Straight paths from noise to images; random vs optimal-transport pairing; ODE solvers.",
        "part.9": "Spotting generated images",
        "part.9.summary": "How a generator improves, what it over-produces, and what gives a generated image away: a quiz, spectra, a detector.",
        "home.caption": "An interactive walk from auto-encoders to diffusion and flow matching, on real small models.",
        "home.route": "The route",
        "home.soon": "coming soon",
        "home.strip": "A digit under the cosine schedule at t = {ts}",
        "home.abar": "ā_t: the share of the variance that is still image at step t",
        "side.present": "Presenter mode",
        "side.present.help": "Large text and figures for a projector; → / ← step the animation most in view, space plays or pauses it.",
        "side.lang": "Language",
        "side.lang.help": "The lessons, the route and the questions; the pages' controls and figures stay in English for now.",
        "share.copy": "Copy link to this view",
        "share.copied": "Link copied.",
        "share.by_hand": "Copy this link:",
        "share.ignored": "Settings from the link not applied (the page shows its defaults): {names}",
        "predict.title": "Predict, then reveal.",
        "predict.pick": "Your prediction",
        "predict.commit": "Commit and reveal",
        "predict.you": "You predicted",
        "predict.right": "Right",
        "predict.wrong": "Not this time",
        "predict.answer": "the answer is",
        "predict.see": "See",
        "predict.again": "Ask me again",
    },
    "fr": {
        "nav.home": "Accueil",
        "nav.lecture": "Le cours",
        "part.1": "Auto-encodeurs",
        "part.1.summary": "Comprimer une image en un code puis la reconstruire ; restaurer des chiffres abîmés ; le décodeur, générateur (faible).",
        "part.2": "Bruitage",
        "part.2.summary": "Ajouter un peu de bruit gaussien, pas après pas, jusqu'à ce qu'il ne reste que du bruit ; la vue à 2 pixels d'un jeu de données entier.",
        "part.3": "Plannings de bruit",
        "part.3.summary": "Constant, linéaire, cosinus : à quelle vitesse le signal s'efface, et où les pas sont dépensés.",
        "part.4": "Entraînement",
        "part.4.summary": "Un réseau apprend à prédire le bruit ajouté, à des pas t tirés au hasard.",
        "part.5": "Débruitage inverse",
        "part.5.summary": "Du bruit pur jusqu'à une image : l'estimation directe, puis les pas progressifs de DDPM.",
        "part.6": "Cibles de prédiction",
        "part.6.summary": "Prédire le bruit, l'image ou la vitesse ? En grande dimension, prédire l'image l'emporte.",
        "part.7": "Diffusion latente",
        "part.7.summary": "Le même processus, dans le petit espace latent d'un VAE.",
        "part.8": "Flow matching",
        "part.8.summary": "Des chemins droits du bruit aux images ; appariement aléatoire ou transport optimal ; solveurs d'EDO.",
        "part.9": "Repérer les images générées",
        "part.9.summary": "Comment un générateur progresse, ce qu'il surproduit, et ce qui trahit une image générée : un quiz, des spectres, un détecteur.",
        "home.caption": "Une promenade interactive des auto-encodeurs à la diffusion et au flow matching, sur de vrais petits modèles.",
        "home.route": "Le parcours",
        "home.soon": "bientôt",
        "home.strip": "Un chiffre sous le planning cosinus à t = {ts}",
        "home.abar": "ā_t : la part de la variance qui est encore de l'image au pas t",
        "side.present": "Mode présentation",
        "side.present.help": "Texte et figures agrandis pour un vidéoprojecteur ; → / ← avancent ou reculent l'animation la plus visible, espace la lance ou la met en pause.",
        "side.lang": "Langue",
        "side.lang.help": "Les leçons, le parcours et les questions ; les commandes et les figures des pages restent en anglais pour l'instant.",
        "share.copy": "Copier le lien de cette vue",
        "share.copied": "Lien copié.",
        "share.by_hand": "Copiez ce lien :",
        "share.ignored": "Réglages du lien non appliqués (la page montre ses valeurs par défaut) : {names}",
        "predict.title": "Prédire, puis vérifier.",
        "predict.pick": "Votre prédiction",
        "predict.commit": "Valider et révéler",
        "predict.you": "Votre prédiction :",
        "predict.right": "Exact",
        "predict.wrong": "Pas cette fois",
        "predict.answer": "la réponse est",
        "predict.see": "Voir",
        "predict.again": "Me reposer la question",
    },
}


def language() -> str:
    """The session's language (a key of :data:`LANGUAGES`)."""
    chosen = st.session_state.get(KEY)
    return chosen if chosen in LANGUAGES else DEFAULT


def t(key: str, **values: object) -> str:
    """The interface string ``key`` in the session's language, with ``{values}`` filled in."""
    return MESSAGES[language()][key].format(**values)


def start_language() -> None:
    """A link's ``?lang=fr`` sets the session's language when it opens (``app.py``, before the navigation)."""
    wanted = st.query_params.get(KEY)
    st.session_state.setdefault(KEY, wanted if wanted in LANGUAGES else DEFAULT)


def language_switch() -> None:
    """The switch, in the sidebar (``app.py``); the address then carries the language from page to page
    (``lang=fr``, not the label a bound widget would write)."""
    start_language()
    st.radio(t("side.lang"), list(LANGUAGES), format_func=LANGUAGES.get, key=KEY, horizontal=True, help=t("side.lang.help"))
    if language() == DEFAULT:
        st.query_params.pop(KEY, None)
    else:
        st.query_params[KEY] = language()
