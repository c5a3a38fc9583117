"""The API's views, one module a resource group: activities, reference data (regions,
offices, indicators, counterparts, targets), progress and published reports."""
