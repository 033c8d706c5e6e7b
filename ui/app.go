package ui

import (
	"embed"
	"io/fs"
)

//go:embed web
var web embed.FS

// App is the embedded web app.
func App() (fs.FS, error) { return fs.Sub(web, "web") }
