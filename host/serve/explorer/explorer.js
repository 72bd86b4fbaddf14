// kitei explorer
