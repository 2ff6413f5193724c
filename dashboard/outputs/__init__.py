"""Files for people: export, the Word report, workbooks, download contents, backups."""
