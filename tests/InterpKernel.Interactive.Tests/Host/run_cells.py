"""Runs the cells given in a JSON file, in order, in one session of a Jupyter kernel under nbclient (errors do not
stop the run), and prints the outputs of every cell as one JSON line. Arguments: kernel name, cells file, working folder."""
import json
import sys
import time

import nbformat
from nbclient import NotebookClient

kernel, cells_file, folder = sys.argv[1], sys.argv[2], sys.argv[3]
nb = nbformat.v4.new_notebook()
nb.cells = [nbformat.v4.new_code_cell(source) for source in json.load(open(cells_file))]
start = time.monotonic()
NotebookClient(nb, kernel_name=kernel, timeout=600, startup_timeout=180, allow_errors=True,
               resources={"metadata": {"path": folder}}).execute()
print(json.dumps({
    "seconds": time.monotonic() - start,
    "cells": [{"source": cell.source, "outputs": cell.get("outputs", [])} for cell in nb.cells],
}))
