"""Readers of survey tools' questionnaire definitions, one module per format, each with
`read(path, country) -> Instrument` raising `InstrumentError` for what is wrong."""
