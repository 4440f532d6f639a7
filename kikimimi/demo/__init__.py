"""Demo data: sample mentions for trying Kikimimi without crawling."""
