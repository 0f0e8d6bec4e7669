"""Batch runs of the parameterised notebooks."""
from fou.batch.run import *  # noqa: F401,F403  (temporary during the split)
from fou.batch.run import Batch, Job, load_batch, notebook_parameters, plan_jobs, run_jobs  # noqa: F401
