"""The local stack of PuneConnect: moto, an API Gateway HTTP API emulation, schedules and pollers.

Local development and tests only; nothing here is deployed or referenced by template.yaml."""
