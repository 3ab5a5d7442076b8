# Shared by the layer Makefiles: install python3.12 manylinux wheels with any local Python, then ship bytecode.
PIP_CP312 = python3 -m pip install --quiet --only-binary=:all: --implementation cp --python-version 3.12 \
	--platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
	--target $(ARTIFACTS_DIR)/python
COMPILE = python3 -m compileall -q --invalidation-mode unchecked-hash $(ARTIFACTS_DIR)/python
