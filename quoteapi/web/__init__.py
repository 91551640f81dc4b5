"""Pages for people: the website's price estimator and the staff console (`desk/`)."""
