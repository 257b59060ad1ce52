"""Handing a report draft from the Zalo mini-app to the city app: single-use links, their QR codes, lenient drafts,
and the join offers a link may carry."""
