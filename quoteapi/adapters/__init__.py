"""What the use cases use from outside: the database, documents (HTML and PDF), spreadsheets."""
