"""nbgrader integration: the course's configuration (``config``), the release built from the kit
(``build``), nbgrader's commands run in the course (``commands``), submissions staged into it
(``submissions``) and the preprocessor that scores grade cells from the trusted checks
(``preprocessor``).
"""
