package plan

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// MaxSize is the largest plan file Parse accepts, in bytes. A plan is a few
// dozen lines; anything near this size is not a plan.
const MaxSize = 1 << 20

// maxString bounds every string value of a plan.
const maxString = 253

var (
	versionPattern = regexp.MustCompile(`^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$`)
	releasePattern = regexp.MustCompile(`^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$`)
	dns1123Label   = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	safePath       = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)
	registryHost   = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*$`)
)

// dns1123Subdomain is the name of most Kubernetes objects, and a DNS name.
var dns1123Subdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "install"},
		{Type: "operator"},
		{Type: "externalize"},
		{Type: "registry"},
	},
}

var registrySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "mirror", Required: true},
	},
}

var installSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "namespace", Required: true},
		{Name: "deployment", Required: true},
		{Name: "from", Required: true},
		{Name: "to", Required: true},
		{Name: "system_database", Required: true},
		{Name: "s3"},
		{Name: "wildcard_policy"},
		{Name: "installed_at"},
		{Name: "backup_dir"},
		{Name: "migrate_to"},
		{Name: "migrate_at"},
		{Name: "to_release"},
		{Name: "openshift"},
	},
}

var operatorSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "namespace", Required: true},
		{Name: "apicast_namespace"},
		{Name: "subscription"},
		{Name: "wildcard_domain"},
		{Name: "tenant_name"},
	},
}

var externalizeSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "system_database"},
		{Name: "redis"},
		{Name: "namespace"},
	},
}

// DefaultBackupDir is where the runbook writes backups when the plan does not say.
const DefaultBackupDir = "3scale-backup"

// Parse decodes and validates a plan. It returns the parsed file too, so that
// callers can print diagnostics with source snippets; the Plan is nil when the
// diagnostics hold an error.
func Parse(filename string, src []byte) (*Plan, *hcl.File, hcl.Diagnostics) {
	start := hcl.Pos{Line: 1, Column: 1}
	whole := &hcl.Range{Filename: filename, Start: start, End: start}
	if len(src) > MaxSize {
		return nil, &hcl.File{Bytes: nil}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Plan file too large",
			Detail:   fmt.Sprintf("The plan is %d bytes; a plan is at most %d bytes. Check that %s is the plan and not another file.", len(src), MaxSize, filename),
			Subject:  whole,
		}}
	}
	if !utf8.Valid(src) || strings.ContainsRune(string(src), 0) {
		return nil, &hcl.File{Bytes: nil}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Plan file is not text",
			Detail:   fmt.Sprintf("%s is not UTF-8 text. A plan is an HCL file; check that the right file was given.", filename),
			Subject:  whole,
		}}
	}
	file, diags := hclsyntax.ParseConfig(src, filename, start)
	if diags.HasErrors() {
		return nil, file, diags
	}
	p, more := decode(filename, file.Body)
	diags = append(diags, more...)
	if diags.HasErrors() {
		return nil, file, diags
	}
	return p, file, diags
}

func decode(filename string, body hcl.Body) (*Plan, hcl.Diagnostics) {
	content, diags := body.Content(rootSchema)
	p := &Plan{Filename: filename}
	seen := map[string]*hcl.Block{}
	var install *hcl.Block
	for _, b := range content.Blocks {
		if first, dup := seen[b.Type]; dup {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate " + b.Type + " block",
				Detail:   fmt.Sprintf("A plan has at most one %s block; the first one is at %s. Merge the two blocks into one.", b.Type, first.DefRange),
				Subject:  b.DefRange.Ptr(),
			})
			continue
		}
		seen[b.Type] = b
		switch b.Type {
		case "install":
			install = b
			in, d := decodeInstallBlock(b)
			diags = append(diags, d...)
			p.Install = in
		case "operator":
			op, d := decodeOperatorBlock(b)
			diags = append(diags, d...)
			p.Operator = op
		case "externalize":
			ex, d := decodeExternalizeBlock(b)
			diags = append(diags, d...)
			p.Externalize = ex
		case "registry":
			r, d := decodeRegistryBlock(b)
			diags = append(diags, d...)
			p.Registry = r
		}
	}
	if install == nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing install block",
			Detail:   `A plan needs an install block that describes the site, for example:` + "\n\n" + exampleInstall,
			Subject:  body.MissingItemRange().Ptr(),
		})
		return p, diags
	}
	if diags.HasErrors() {
		return p, diags
	}
	diags = append(diags, crossCheck(p)...)
	return p, diags
}

const exampleInstall = `install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}`

func decodeInstallBlock(b *hcl.Block) (Install, hcl.Diagnostics) {
	in := Install{DeclRange: b.DefRange, Ranges: map[string]hcl.Range{}, WildcardPolicy: WildcardNone, BackupDir: DefaultBackupDir}
	content, diags := b.Body.Content(installSchema)
	if diags.HasErrors() {
		return in, diags
	}
	for name, attr := range content.Attributes {
		in.Ranges[name] = attr.Expr.Range()
	}
	attrs := content.Attributes
	in.Namespace, diags = decodeName(attrs["namespace"], "namespace", "the OpenShift project where 3scale runs", diags)
	in.Deployment = Deployment(decodeEnum(attrs["deployment"], &diags, "the install method", string(Template), string(Operated)))
	in.From = decodeVersion(attrs["from"], &diags, "the installed version")
	in.To = decodeVersion(attrs["to"], &diags, "the target version")
	in.SystemDatabase = Database(decodeEnum(attrs["system_database"], &diags, "the system database", string(MySQL), string(PostgreSQL), string(Oracle)))
	if a := attrs["s3"]; a != nil {
		in.S3 = decodeBool(a, &diags)
	}
	if a := attrs["wildcard_policy"]; a != nil {
		in.WildcardPolicy = WildcardPolicy(decodeEnum(a, &diags, "the WILDCARD_POLICY the site was deployed with", string(WildcardSubdomain), string(WildcardNone)))
	}
	if a := attrs["installed_at"]; a != nil {
		in.InstalledAt = decodeVersion(a, &diags, "the version the site was first installed at")
	}
	if a := attrs["backup_dir"]; a != nil {
		in.BackupDir = decodePath(a, &diags)
	}
	if a := attrs["to_release"]; a != nil {
		in.ToRelease = decodeRelease(a, &diags)
	}
	if a := attrs["openshift"]; a != nil {
		in.OpenShift = decodeVersion(a, &diags, "the OpenShift version the site runs on")
		if !in.OpenShift.IsZero() && in.OpenShift.Major != 4 && in.OpenShift.Major != 3 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid openshift",
				Detail:   fmt.Sprintf("openshift (the OpenShift version the site runs on) must be an OpenShift 3 or 4 release such as \"4.12\"; %q is not. Read it with: oc get clusterversion version -o jsonpath='{.status.desired.version}'", in.OpenShift),
				Subject:  attrs["openshift"].Expr.Range().Ptr(),
			})
			in.OpenShift = Version{}
		}
	}
	if a := attrs["migrate_to"]; a != nil {
		in.MigrateTo = Deployment(decodeEnum(a, &diags, "the install method the site moves to", string(Operated)))
	}
	if a := attrs["migrate_at"]; a != nil {
		in.MigrateAt = decodeVersion(a, &diags, "the version at which the site moves to the operator")
	}
	return in, diags
}

func decodeOperatorBlock(b *hcl.Block) (*Operator, hcl.Diagnostics) {
	op := &Operator{DeclRange: b.DefRange, Ranges: map[string]hcl.Range{}, Subscription: DefaultSubscription}
	content, diags := b.Body.Content(operatorSchema)
	if diags.HasErrors() {
		return op, diags
	}
	for name, attr := range content.Attributes {
		op.Ranges[name] = attr.Expr.Range()
	}
	op.Namespace, diags = decodeName(content.Attributes["namespace"], "namespace", "the project of the 3scale operator", diags)
	if a := content.Attributes["apicast_namespace"]; a != nil {
		op.APIcastNamespace, diags = decodeName(a, "apicast_namespace", "the project of the APIcast operator", diags)
	}
	if a := content.Attributes["subscription"]; a != nil {
		op.Subscription = decodeSubdomain(a, &diags, "the name of the 3scale operator's Subscription", `"3scale-operator"`)
	}
	if a := content.Attributes["wildcard_domain"]; a != nil {
		op.WildcardDomain = decodeSubdomain(a, &diags, "the wildcard domain of the APIManager", `"3scale.example.com"`)
	}
	if a := content.Attributes["tenant_name"]; a != nil {
		op.TenantName, diags = decodeName(a, "tenant_name", "the template's TENANT_NAME, the APIManager's tenantName", diags)
	}
	return op, diags
}

func decodeExternalizeBlock(b *hcl.Block) (*Externalize, hcl.Diagnostics) {
	ex := &Externalize{DeclRange: b.DefRange, Ranges: map[string]hcl.Range{}}
	content, diags := b.Body.Content(externalizeSchema)
	if diags.HasErrors() {
		return ex, diags
	}
	for name, attr := range content.Attributes {
		ex.Ranges[name] = attr.Expr.Range()
	}
	places := []string{string(AlreadyExternal), string(OnCluster), string(AWS)}
	if a := content.Attributes["system_database"]; a != nil {
		ex.SystemDatabase = Placement(decodeEnum(a, &diags, "where the system database goes", places...))
	}
	if a := content.Attributes["redis"]; a != nil {
		ex.Redis = Placement(decodeEnum(a, &diags, "where Redis goes", places...))
	}
	if a := content.Attributes["namespace"]; a != nil {
		ex.Namespace, diags = decodeName(a, "namespace", "the project for on-cluster databases", diags)
	}
	return ex, diags
}

func decodeRegistryBlock(b *hcl.Block) (*Registry, hcl.Diagnostics) {
	r := &Registry{DeclRange: b.DefRange, Ranges: map[string]hcl.Range{}}
	content, diags := b.Body.Content(registrySchema)
	if diags.HasErrors() {
		return r, diags
	}
	a := content.Attributes["mirror"]
	r.Ranges["mirror"] = a.Expr.Range()
	s, ok := decodeString(a, &diags, `"mirror.example.com:5000/3scale"`)
	if !ok {
		return r, diags
	}
	if !registryHost.MatchString(s) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid mirror",
			Detail:   fmt.Sprintf("mirror is a registry host, with an optional port and path prefix, in lower case and without a scheme, such as \"mirror.example.com:5000\" or \"mirror.example.com/3scale\"; %q is not.", s),
			Subject:  a.Expr.Range().Ptr(),
		})
		return r, diags
	}
	r.Mirror = s
	return r, diags
}

// crossCheck validates what only the whole plan can tell.
func crossCheck(p *Plan) hcl.Diagnostics {
	var diags hcl.Diagnostics
	in := &p.Install
	migrating := in.MigrateTo != ""
	if !in.From.Less(in.To) && !(migrating && in.From == in.To) {
		detail := fmt.Sprintf("to = %q is not a later version than from = %q. ampc upgrades only: set to to the version you want to run, above the one installed.", in.To, in.From)
		if in.From == in.To && in.Deployment == Template {
			detail += ` To move a template-based site to the 3scale operator at this version, add migrate_to = "operator".`
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Target version not above installed version",
			Detail:   detail,
			Subject:  in.Ranges["to"].Ptr(),
		})
	}
	if in.InstalledAt.IsZero() {
		in.InstalledAt = in.From
	} else if in.From.Less(in.InstalledAt) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Installed-at version after the current version",
			Detail:   fmt.Sprintf("installed_at = %q is later than from = %q. installed_at is the version the site was first installed at, so it is at most from; leave it out for a site installed at %s.", in.InstalledAt, in.From, in.From),
			Subject:  in.Ranges["installed_at"].Ptr(),
		})
	}
	if in.Deployment == Operated && p.Operator == nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing operator block",
			Detail:   "An operator-based plan needs an operator block that names the project of the 3scale operator, for example:\n\noperator {\n  namespace = \"3scale-operator\"\n}",
			Subject:  in.Ranges["deployment"].Ptr(),
		})
	}
	if in.Deployment == Template && p.Operator != nil && !migrating {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Operator block on a template-based install",
			Detail:   `The install block says deployment = "template", so there is no 3scale operator to describe. Remove the operator block, or set deployment = "operator" if the site runs the operator. To migrate the site to the operator, add migrate_to = "operator" to the install block.`,
			Subject:  p.Operator.DeclRange.Ptr(),
		})
	}
	diags = append(diags, checkMigration(p)...)
	if in.ToRelease != "" && !in.To.IsZero() && !strings.HasPrefix(in.ToRelease, in.To.String()+".") {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "to_release outside to",
			Detail:   fmt.Sprintf("to_release = %q is not a micro release of to = %q. to_release names the micro release of the target version, for example %q; make the two agree.", in.ToRelease, in.To, in.To.String()+".1"),
			Subject:  in.Ranges["to_release"].Ptr(),
		})
	}
	if in.S3 && in.Deployment == Operated {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "s3 applies to template-based installs",
			Detail:   "s3 says the site was installed with the amp-s3 template. An operator-based install configures S3 in its APIManager; remove s3 from the plan.",
			Subject:  in.Ranges["s3"].Ptr(),
		})
	}
	return diags
}

// checkMigration validates migrate_to and the operator attributes that only
// a migration uses.
func checkMigration(p *Plan) hcl.Diagnostics {
	var diags hcl.Diagnostics
	in := &p.Install
	op := p.Operator
	if in.MigrateTo == "" && !in.MigrateAt.IsZero() {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "migrate_at without a migration",
			Detail:   `migrate_at is the version at which a template-based site moves to the 3scale operator; this plan is not a migration (it has no migrate_to = "operator"). Add migrate_to = "operator", or remove migrate_at.`,
			Subject:  in.Ranges["migrate_at"].Ptr(),
		})
	}
	if at := in.MigrateAt; in.MigrateTo != "" && !at.IsZero() && (at.Less(in.From) || in.To.Less(at)) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "migrate_at outside from and to",
			Detail:   fmt.Sprintf("migrate_at = %q is the version at which the site moves to the operator: the template hops upgrade it from %s to there, the operator hops go on to %s. Give a version from %s to %s, or leave migrate_at out to migrate at the first version from %s on that has a migration.", at, in.From, in.To, in.From, in.To, in.From),
			Subject:  in.Ranges["migrate_at"].Ptr(),
		})
	}
	if in.MigrateTo == "" {
		if op != nil && op.WildcardDomain != "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "wildcard_domain without a migration",
				Detail:   `wildcard_domain is the wildcard domain of the APIManager that a template-to-operator migration creates; this plan is not a migration (it has no migrate_to = "operator"). Remove wildcard_domain.`,
				Subject:  op.Ranges["wildcard_domain"].Ptr(),
			})
		}
		if op != nil && op.TenantName != "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "tenant_name without a migration",
				Detail:   `tenant_name is the tenantName of the APIManager that a template-to-operator migration creates; this plan is not a migration (it has no migrate_to = "operator"). Remove tenant_name.`,
				Subject:  op.Ranges["tenant_name"].Ptr(),
			})
		}
		return diags
	}
	subject := in.Ranges["migrate_to"].Ptr()
	if in.Deployment != Template {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Migration of an operator-based install",
			Detail:   `migrate_to moves a template-based install to the 3scale operator; this install is already operator-based (deployment = "operator"). Remove migrate_to.`,
			Subject:  subject,
		})
	}
	if op == nil {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing operator block",
			Detail:   "A migration to the operator needs an operator block that names the project of the 3scale operator on the new cluster and the wildcard domain of the site (the template's WILDCARD_DOMAIN), for example:\n\noperator {\n  namespace       = \"3scale-operator\"\n  wildcard_domain = \"3scale.example.com\"\n}",
			Subject:  subject,
		})
	}
	if op.WildcardDomain == "" {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing wildcard_domain",
			Detail:   `The APIManager that the migration creates needs the site's wildcard domain: the WILDCARD_DOMAIN the template was deployed with (THREESCALE_SUPERDOMAIN in configmap system-environment), for example wildcard_domain = "3scale.example.com". The runbook checks it against the site before changing anything.`,
			Subject:  op.DeclRange.Ptr(),
		})
	}
	if op.APIcastNamespace != "" {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "apicast_namespace on a migration",
			Detail:   "apicast_namespace names a standalone APIcast operator to upgrade; a template-to-operator migration deploys 3scale with the 3scale operator and has no such operator to upgrade. Remove apicast_namespace.",
			Subject:  op.Ranges["apicast_namespace"].Ptr(),
		})
	}
	return diags
}

func typeMismatch(a *hcl.Attribute, want, example string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Incorrect attribute value type",
		Detail:   fmt.Sprintf("%s must be %s, for example %s = %s.", a.Name, want, a.Name, example),
		Subject:  a.Expr.Range().Ptr(),
	}
}

// literal evaluates an attribute that must be a constant.
func literal(a *hcl.Attribute, diags *hcl.Diagnostics) (cty.Value, bool) {
	v, d := a.Expr.Value(nil)
	*diags = append(*diags, d...)
	if d.HasErrors() {
		return cty.NilVal, false
	}
	if v.IsNull() {
		*diags = append(*diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing value",
			Detail:   fmt.Sprintf("%s is null. Give it a value or remove the line to use the default.", a.Name),
			Subject:  a.Expr.Range().Ptr(),
		})
		return cty.NilVal, false
	}
	return v, true
}

func decodeString(a *hcl.Attribute, diags *hcl.Diagnostics, example string) (string, bool) {
	v, ok := literal(a, diags)
	if !ok {
		return "", false
	}
	if v.Type() != cty.String {
		*diags = append(*diags, typeMismatch(a, "a string", example))
		return "", false
	}
	s := v.AsString()
	if len(s) > maxString {
		*diags = append(*diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Value too long",
			Detail:   fmt.Sprintf("%s is %d characters long; at most %d are allowed.", a.Name, len(s), maxString),
			Subject:  a.Expr.Range().Ptr(),
		})
		return "", false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			*diags = append(*diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Control character in value",
				Detail:   fmt.Sprintf("%s contains the control character %q. Values reach a shell runbook; remove newlines, tabs and other control characters.", a.Name, r),
				Subject:  a.Expr.Range().Ptr(),
			})
			return "", false
		}
	}
	return s, true
}

func decodeName(a *hcl.Attribute, name, what string, diags hcl.Diagnostics) (string, hcl.Diagnostics) {
	s, ok := decodeString(a, &diags, `"3scale"`)
	if !ok {
		return "", diags
	}
	if len(s) > 63 || !dns1123Label.MatchString(s) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + name,
			Detail:   fmt.Sprintf("%s (%s) must be a DNS-1123 label: at most 63 characters of lower-case letters, digits and '-', starting and ending with a letter or digit. %q is not.", name, what, s),
			Subject:  a.Expr.Range().Ptr(),
		})
		return "", diags
	}
	return s, diags
}

// decodeSubdomain reads a DNS-1123 subdomain: a Kubernetes object name or a
// domain name.
func decodeSubdomain(a *hcl.Attribute, diags *hcl.Diagnostics, what, example string) string {
	s, ok := decodeString(a, diags, example)
	if !ok {
		return ""
	}
	if !dns1123Subdomain.MatchString(s) {
		*diags = append(*diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + a.Name,
			Detail:   fmt.Sprintf("%s (%s) must be a DNS-1123 subdomain: at most 253 characters of lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit, for example %s. %q is not.", a.Name, what, example, s),
			Subject:  a.Expr.Range().Ptr(),
		})
		return ""
	}
	return s
}

func decodeEnum(a *hcl.Attribute, diags *hcl.Diagnostics, what string, valid ...string) string {
	s, ok := decodeString(a, diags, fmt.Sprintf("%q", valid[0]))
	if !ok {
		return ""
	}
	for _, v := range valid {
		if s == v {
			return s
		}
	}
	quoted := make([]string, len(valid))
	for i, v := range valid {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	detail := fmt.Sprintf("%s (%s) must be one of %s; %q is not one of them.", a.Name, what, strings.Join(quoted, ", "), s)
	for _, v := range valid {
		if strings.EqualFold(s, v) {
			detail += fmt.Sprintf(" Did you mean %q?", v)
		}
	}
	*diags = append(*diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + a.Name,
		Detail:   detail,
		Subject:  a.Expr.Range().Ptr(),
	})
	return ""
}

func decodeVersion(a *hcl.Attribute, diags *hcl.Diagnostics, what string) Version {
	v, ok := literal(a, diags)
	if !ok {
		return Version{}
	}
	if v.Type() != cty.String {
		*diags = append(*diags, typeMismatch(a, "a quoted major.minor version", `"2.7"`))
		return Version{}
	}
	s := v.AsString()
	ver, ok := ParseVersion(s)
	if !ok {
		detail := fmt.Sprintf("%s (%s) must be a major.minor version such as \"2.7\"; %q is not.", a.Name, what, s)
		if strings.Count(s, ".") == 2 {
			detail += " Leave out the micro release: rule modules are written per minor version."
			if a.Name == "to" {
				detail += fmt.Sprintf(" To name the micro release of the target, add to_release = %q.", s)
			}
		}
		*diags = append(*diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid version",
			Detail:   detail,
			Subject:  a.Expr.Range().Ptr(),
		})
		return Version{}
	}
	return ver
}

// decodeRelease reads a micro release, major.minor.micro.
func decodeRelease(a *hcl.Attribute, diags *hcl.Diagnostics) string {
	s, ok := decodeString(a, diags, `"2.16.1"`)
	if !ok {
		return ""
	}
	if !releasePattern.MatchString(s) {
		*diags = append(*diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid to_release",
			Detail:   fmt.Sprintf("to_release (the micro release of the target version) must be major.minor.micro, such as \"2.16.1\"; %q is not.", s),
			Subject:  a.Expr.Range().Ptr(),
		})
		return ""
	}
	return s
}

func decodeBool(a *hcl.Attribute, diags *hcl.Diagnostics) bool {
	v, ok := literal(a, diags)
	if !ok {
		return false
	}
	if v.Type() != cty.Bool {
		*diags = append(*diags, typeMismatch(a, "true or false, without quotes", "true"))
		return false
	}
	return v.True()
}

func decodePath(a *hcl.Attribute, diags *hcl.Diagnostics) string {
	s, ok := decodeString(a, diags, `"3scale-backup"`)
	if !ok {
		return ""
	}
	bad := !safePath.MatchString(s) || strings.HasPrefix(s, "-")
	for _, part := range strings.Split(s, "/") {
		if part == ".." {
			bad = true
		}
	}
	if bad {
		*diags = append(*diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + a.Name,
			Detail:   fmt.Sprintf("%s must be a plain path of letters, digits, '.', '_', '-' and '/', not starting with '-' and without '..'; %q is not. The runbook creates it where it runs.", a.Name, s),
			Subject:  a.Expr.Range().Ptr(),
		})
		return ""
	}
	return s
}
