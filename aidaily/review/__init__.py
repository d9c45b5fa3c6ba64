"""Review and publish: draft versions, the review record and report, the publish gate and the review page."""
