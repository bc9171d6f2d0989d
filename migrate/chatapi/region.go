package chatapi

import (
	"fmt"
	"slices"
	"strings"
)

// regionDomains maps the vendor's region names to their REST API domains (docs/vendor-api.md,
// "Transport"). mumbai and riyadh appear only on some vendor pages; they are listed so that an
// SDKAppID living there needs no custom base URL.
var regionDomains = map[string]string{
	"china":         "console.tim.qq.com",
	"singapore":     "adminapisgp.im.qcloud.com",
	"seoul":         "adminapikr.im.qcloud.com",
	"tokyo":         "adminapijpn.im.qcloud.com",
	"frankfurt":     "adminapiger.im.qcloud.com",
	"siliconvalley": "adminapiusa.im.qcloud.com",
	"jakarta":       "adminapiidn.im.qcloud.com",
	"mumbai":        "adminapiind.im.qcloud.com",
	"riyadh":        "adminapiksa.im.qcloud.com",
}

// RegionURL returns the base URL (https, no path) of a region's REST API, for example
// "singapore" -> "https://adminapisgp.im.qcloud.com". Names are matched case-insensitively.
func RegionURL(name string) (string, error) {
	d, ok := regionDomains[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return "", fmt.Errorf("unknown region %q", name)
	}
	return "https://" + d, nil
}

// Regions returns the known region names, sorted.
func Regions() []string {
	names := make([]string, 0, len(regionDomains))
	for n := range regionDomains {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
