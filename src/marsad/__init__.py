"""marsad (مرصد): an Arabic-first monitor of armed conflict and terrorism in the news."""

import os

# The tagger's matrices are small: BLAS threads cost more than they give, and marsad scales by
# processes (--workers, Ray), one core each. Set before numpy is first imported; a user's own
# setting wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

__version__ = "0.1.0"
