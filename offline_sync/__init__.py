"""The offline sync protocol, free of Flask: schemas, merge rules, the push engine and the change feed."""
