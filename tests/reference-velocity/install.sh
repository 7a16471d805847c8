#!/bin/sh
# Installs the reference engine for tests/unit/vtl-differential.test.ts: Apache Velocity 1.7 (the
# engine API Gateway documents), Commons Lang 2 (escapeJavaScript), Jayway JsonPath on json-smart
# ($input.path/json), and a JDK for single-file source launch of RenderBatch.java.
set -e
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  default-jdk-headless velocity libcommons-lang-java libcommons-collections3-java \
  libjsonpath-java libjson-smart-java libslf4j-java >/dev/null
