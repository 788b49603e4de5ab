"""Sites and the networks they form: per-site profiles and the coordination graph of sites that publish
derived versions of the same origins in step."""
