from marsad.cli import app

app()
