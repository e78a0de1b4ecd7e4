package propertytest

import (
	"encoding/base64"
	"fmt"

	"github.com/ampc/ampc/internal/proptest"
)

// manual25 is what a person does at the stops of the 2.5 → 2.6 hop
// (compiler/rules/2.5-2.6-template.hcl; 001_94522790b066fb62.txt 2.2, 2.9)
// on the fixtures' sites, which run no self-managed APIcast, have no
// custom certificates and no routes made by hand.
var manual25 = map[string]proptest.Manual{
	// Section 2.2, steps 1 to 5: the Secret the Service Accounts panel
	// gives, renamed threescale-registry-auth, created with oc create -f.
	"2.5-2.6/registry-auth-secret": func(con *proptest.Console) {
		if con.OC("", "get", "secret", "threescale-registry-auth", "--ignore-not-found", "-o", "name") != "" {
			return
		}
		auth := base64.StdEncoding.EncodeToString([]byte("12345678|ampc-site:registry-token-of-the-site"))
		config := fmt.Sprintf(`{"auths":{"registry.redhat.io":{"auth":%q}}}`, auth)
		con.OC(fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata:
  name: threescale-registry-auth
data:
  .dockerconfigjson: %s
type: kubernetes.io/dockerconfigjson
`, base64.StdEncoding.EncodeToString([]byte(config))), "create", "-f", "-")
	},
}
