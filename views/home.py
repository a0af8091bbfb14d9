"""Home: the route through the lecture."""

import streamlit as st

from ui.components.chart import chart
from ui.components.lessons import lesson
from ui.figures import home as fig
from ui.i18n import tr
from ui.navigation import ROADMAP, page_for

st.title(tr("home.title"))
st.caption(tr("home.caption"))

left, right = st.columns([3, 2], gap="large")
with left:
    lesson("home")
with right:
    strip, ts = fig.dissolving_digit()
    st.image(strip, caption=tr("home.strip", ts=", ".join(map(str, ts))), width="stretch")
    chart(fig.signal_left(tuple(ts), tr("home.abar")), width="stretch", key="home_abar")
    with st.container(border=True):
        lesson("home", "conventions")

st.subheader(tr("home.route"))
cols = st.columns(3, gap="medium")
for i, part in enumerate(ROADMAP):
    with cols[i % 3].container(border=True, height=170):
        page = page_for(part)
        if page is not None:
            st.page_link(page, label=f"**{part.number}. {part.title}**", icon=part.icon)
        else:
            st.markdown(f"**{part.number}. {part.title}**  \n:gray-badge[{tr('home.soon')}]")
        st.caption(part.summary)
