"""The buurtbudget: budgets (API and `/budget` pages), the review queue of applications, realisation.

`logic` holds the queries, `api` the JSON endpoints under /api/v1/budgets, `pages` the manager's
server-rendered pages. The rules themselves (who may grant, never more than remaining) live in
`offline_sync.budget`, so phone pushes, API edits and these pages share them.
"""
