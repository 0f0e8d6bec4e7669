"""Foundations every stage uses: errors, paths, atomic writes, the values schema,
the municipality registry, the key-figure catalogue, tidy selection and the
Swedish wording of numbers and parameters. Nothing here imports another stage.
"""
