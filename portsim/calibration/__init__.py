"""Calibration: a scenario's free parameters fitted to observed figures on common random
numbers, and figures held out of the fit checked against the result (docs/calibration.md).

:mod:`.targets` reads a targets file, :mod:`.free` the scenario's free parameters and the
documents their values make, :mod:`.objective` the standardised distance, :mod:`.search` the
two-stage search and the parameters' intervals, :mod:`.calibrate` puts them together.
"""
