"""The student side of the kit: shipped whole with every release, and used by the grader too.

The check framework (``checks``, ``validate``, ``gradcheck``, ``outcome``), the loader of a
student's modules (``loader``, ``modules``), what notebooks call (``notebook.check_group``,
``panel.explore``) and the assignment type and registry (``spec``, ``registry``). It imports
only itself, ``data_scripts``, the standard library, numpy, matplotlib, ipywidgets and tqdm:
a release runs where nothing else of the kit is installed.
"""
