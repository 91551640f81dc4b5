"""Pages for people: the website estimator (and, later, the staff console)."""
