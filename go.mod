module github.com/chatmigrate/chatmigrate

go 1.26.0

require (
	github.com/chromedp/cdproto v0.159.0
	github.com/chromedp/chromedp v0.23.0
	github.com/gocarina/gocsv v0.0.0-20240520201108-78e41c74b4b1
	github.com/lanrat/extsort v1.5.0
	github.com/schollz/progressbar/v3 v3.19.1
	github.com/tencentyun/tls-sig-api-v2-golang v1.4.0
	golang.org/x/sync v0.24.0
	golang.org/x/time v0.16.0
)

require (
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/mitchellh/colorstring v0.0.0-20190213212951-d06e56a500db // indirect
	github.com/rivo/uniseg v0.4.7
	golang.org/x/sys v0.46.0 // indirect
	golang.org/x/term v0.44.0
)
