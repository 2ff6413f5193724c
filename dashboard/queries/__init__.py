"""The SQL the pages and the report read; takes a connection, knows nothing of Streamlit."""
