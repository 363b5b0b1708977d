# Loaded before Django is set up: tests never touch the development database, broker folder or media.
import os
import tempfile

os.environ.setdefault("LIAISON_VAR_DIR", tempfile.mkdtemp(prefix="liaison-test-var-"))
