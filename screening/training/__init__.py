"""Training, the retrain gate and evaluation: everything that fits a model, in one package.

- `train`: the recipe (analyse the labelled rows, fit `HoaxModel`, compile it, check the compiled scorer against
  the estimators, build the known-hoax index) and `train_and_register`, which stores the result as a version;
- `retrain`: a candidate with the editors' labels, compared fairly with the current recipe, promoted only if it
  is not worse;
- `evaluate`: metrics of a stored model on a labelled file, and grouped cross-validation reports.

The registry only stores, verifies, activates and rolls back what this package produces.
"""
