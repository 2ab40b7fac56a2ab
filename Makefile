# Thin wrapper over CMake and the scripts (STYLE.md §8). The real work lives in scripts/.
BUILD_DIR ?= build
GENERATOR := -G Ninja

.PHONY: all debug release unit test run bench deps clean

all: release

deps:
	bash scripts/install-deps.sh

debug:
	cmake -S . -B $(BUILD_DIR)-debug $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug
	ninja -C $(BUILD_DIR)-debug

release:
	cmake -S . -B $(BUILD_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	ninja -C $(BUILD_DIR)

unit: release
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j2

test:
	bash scripts/test.sh

run:
	bash scripts/run.sh

bench: release
	bash bench/run.sh

clean:
	rm -rf $(BUILD_DIR) $(BUILD_DIR)-debug
