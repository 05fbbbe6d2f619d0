# ashby-sync developer entry points. CI runs `make test` through .ci/run.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test

MVNW := ./mvnw -B
TEMPLATE := template.yaml
TEST_CLASSPATH_FILE := target/test-classpath.txt
DEV_STACK_MAIN := io.ashbysync.devstack.DevStack

# Each recipe line runs in its own shell, so these prefixes export the tools for the line they start.
# A JDK 21+ (JAVA_HOME if it qualifies); stops with what to install when there is none.
WITH_JDK = JAVA_HOME="$$(infra/select-jdk.sh)" && export JAVA_HOME PATH="$$JAVA_HOME/bin:$$PATH" &&
# moto_server for the tests' local AWS; stops with: pip install 'moto[server]==5.2.1'.
WITH_MOTO = MOTO_SERVER="$$(infra/find-python-tool.sh moto_server)" && export MOTO_SERVER &&

BENCH_MAIN := io.ashbysync.devstack.Bench

.PHONY: help test lint package run bench clean tenant-add tenant-remove tenant-pause tenant-resume tenant-status

help:
	@echo "make test     build, run the tests (moto + ElasticMQ) and lint $(TEMPLATE)"
	@echo "make lint     cfn-lint $(TEMPLATE)"
	@echo "make package  target/function.zip for the Lambda functions, without tests"
	@echo "make run      start the local dev stack ($(DEV_STACK_MAIN)) from the test classpath"
	@echo "make bench    measure initial load, freshness, bulk reject and search on the local stack ($(BENCH_MAIN))"
	@echo "make tenant-add TENANT=id  (key from ASHBY_API_KEY)  onboard a tenant through ADMIN_URL; also tenant-remove,"
	@echo "               tenant-pause, tenant-resume, tenant-status (HTML status page to stdout)"

test:
	$(WITH_JDK) $(WITH_MOTO) $(MVNW) verify
	@# cfn-lint is optional on a laptop, required in CI.
	@if cfn_lint="$$(infra/find-python-tool.sh cfn-lint 2>/dev/null)"; then \
	  echo "cfn-lint $(TEMPLATE)"; "$$cfn_lint" $(TEMPLATE); \
	elif [[ "$${CI:-}" == "true" ]]; then \
	  infra/find-python-tool.sh cfn-lint; \
	else \
	  echo "cfn-lint not found: $(TEMPLATE) not linted (pip install 'cfn-lint==1.51.0')"; \
	fi

lint:
	cfn_lint="$$(infra/find-python-tool.sh cfn-lint)" && "$$cfn_lint" $(TEMPLATE)

package:
	$(WITH_JDK) $(MVNW) package -DskipTests
	@ls -l target/function.zip

# DevStack runs the packaged runner jar (as Lambda does), so it packages first; test classes hold DevStack itself.
run:
	$(WITH_JDK) $(MVNW) -q package -DskipTests dependency:build-classpath -Dmdep.outputFile=$(TEST_CLASSPATH_FILE)
	$(WITH_JDK) $(WITH_MOTO) exec java -cp "target/test-classes:target/classes:$$(cat $(TEST_CLASSPATH_FILE))" $(DEV_STACK_MAIN)

# The same stack as make run, driven and measured by the bench; results in target/bench/results.json.
bench:
	$(WITH_JDK) $(MVNW) -q package -DskipTests dependency:build-classpath -Dmdep.outputFile=$(TEST_CLASSPATH_FILE)
	$(WITH_JDK) $(WITH_MOTO) exec java -cp "target/test-classes:target/classes:$$(cat $(TEST_CLASSPATH_FILE))" $(BENCH_MAIN)

clean:
	$(WITH_JDK) $(MVNW) -q clean

# ---- tenant operations: the admin routes of the HTTP API (IAM-authorised when deployed). ADMIN_URL defaults to
# `make run`'s local API; for a deployed stack set ADMIN_URL to the API's URL and AWS_REGION: requests are then
# signed with SigV4 from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN). The key is read from
# ASHBY_API_KEY and sent on stdin, so it appears in no command line.
ADMIN_URL ?= http://127.0.0.1:$(or $(DEV_HTTP_PORT),8080)
ADMIN_CURL = curl -sS --fail-with-body $(if $(AWS_REGION),--aws-sigv4 "aws:amz:$(AWS_REGION):execute-api" --user "$$AWS_ACCESS_KEY_ID:$$AWS_SECRET_ACCESS_KEY" $(if $(AWS_SESSION_TOKEN),-H "x-amz-security-token: $$AWS_SESSION_TOKEN"))

tenant-add:
	@[[ -n "$(TENANT)" && -n "$${ASHBY_API_KEY:-}" ]] || { echo "usage: ASHBY_API_KEY=... make tenant-add TENANT=<id> [RPM=1000]"; exit 2; }
	@printf '{"tenantId":"%s","apiKey":"%s","requestsPerMinute":%s}' "$(TENANT)" "$$ASHBY_API_KEY" "$(or $(RPM),1000)" \
	  | $(ADMIN_CURL) -X POST "$(ADMIN_URL)/admin/tenants" -H 'Content-Type: application/json' --data-binary @-; echo

tenant-remove:
	@[[ -n "$(TENANT)" ]] || { echo "usage: make tenant-remove TENANT=<id>"; exit 2; }
	$(ADMIN_CURL) -X DELETE "$(ADMIN_URL)/admin/tenants/$(TENANT)"; echo

tenant-pause tenant-resume:
	@[[ -n "$(TENANT)" ]] || { echo "usage: make $@ TENANT=<id>"; exit 2; }
	$(ADMIN_CURL) -X POST "$(ADMIN_URL)/admin/tenants/$(TENANT)/$(subst tenant-,,$@)"; echo

tenant-status:
	$(ADMIN_CURL) "$(ADMIN_URL)/admin/status"
