"""Everything Streamlit (with dashboard/app.py): pages, widgets, the page connection and cached reads."""
