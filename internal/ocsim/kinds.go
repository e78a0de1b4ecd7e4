package ocsim

import (
	"strings"

	appsv1 "github.com/openshift/api/apps/v1"
	authorizationv1 "github.com/openshift/api/authorization/v1"
	buildv1 "github.com/openshift/api/build/v1"
	configv1 "github.com/openshift/api/config/v1"
	imagev1 "github.com/openshift/api/image/v1"
	projectv1 "github.com/openshift/api/project/v1"
	routev1 "github.com/openshift/api/route/v1"
	securityv1 "github.com/openshift/api/security/v1"
	templatev1 "github.com/openshift/api/template/v1"
	olmv1alpha1 "github.com/operator-framework/api/pkg/operators/v1alpha1"
	kappsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// Kind describes one resource type the simulated server serves.
type Kind struct {
	Kind       string
	Group      string // "" for the core group
	Version    string
	Resource   string // plural, lower case
	Short      []string
	Namespaced bool
	// Custom is true for a custom resource (a CRD): the server refuses a
	// strategic merge patch of it.
	Custom bool
	// New returns a typed object that the JSON form decodes into strictly.
	New func() any
}

// APIVersion is the kind's apiVersion field.
func (k *Kind) APIVersion() string {
	if k.Group == "" {
		return k.Version
	}
	return k.Group + "/" + k.Version
}

// qualified is the resource as the server names it in messages
// (deploymentconfigs.apps.openshift.io).
func (k *Kind) qualified() string {
	if k.Group == "" {
		return k.Resource
	}
	return k.Resource + "." + k.Group
}

// nameForm is how oc get -o name prints the kind (deployment.apps).
func (k *Kind) nameForm() string {
	l := strings.ToLower(k.Kind)
	if k.Group == "" {
		return l
	}
	return l + "." + k.Group
}

// kinds is every kind the simulator serves.
var kinds = []*Kind{
	{Kind: "ConfigMap", Version: "v1", Resource: "configmaps", Short: []string{"cm"}, Namespaced: true, New: func() any { return &corev1.ConfigMap{} }},
	{Kind: "Secret", Version: "v1", Resource: "secrets", Namespaced: true, New: func() any { return &corev1.Secret{} }},
	{Kind: "Service", Version: "v1", Resource: "services", Short: []string{"svc"}, Namespaced: true, New: func() any { return &corev1.Service{} }},
	{Kind: "ServiceAccount", Version: "v1", Resource: "serviceaccounts", Short: []string{"sa"}, Namespaced: true, New: func() any { return &corev1.ServiceAccount{} }},
	{Kind: "PersistentVolumeClaim", Version: "v1", Resource: "persistentvolumeclaims", Short: []string{"pvc"}, Namespaced: true, New: func() any { return &corev1.PersistentVolumeClaim{} }},
	{Kind: "Pod", Version: "v1", Resource: "pods", Short: []string{"po"}, Namespaced: true, New: func() any { return &corev1.Pod{} }},
	{Kind: "ReplicationController", Version: "v1", Resource: "replicationcontrollers", Short: []string{"rc"}, Namespaced: true, New: func() any { return &corev1.ReplicationController{} }},
	{Kind: "Namespace", Version: "v1", Resource: "namespaces", Short: []string{"ns"}, New: func() any { return &corev1.Namespace{} }},
	// A project is OpenShift's view of a namespace: the cluster answers
	// one for each namespace (Run.lookup, Run.listKind).
	{Kind: "Project", Group: "project.openshift.io", Version: "v1", Resource: "projects", New: func() any { return &projectv1.Project{} }},
	{Kind: "Deployment", Group: "apps", Version: "v1", Resource: "deployments", Short: []string{"deploy"}, Namespaced: true, New: func() any { return &kappsv1.Deployment{} }},
	{Kind: "Job", Group: "batch", Version: "v1", Resource: "jobs", Namespaced: true, New: func() any { return &batchv1.Job{} }},
	{Kind: "Role", Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "roles", Namespaced: true, New: func() any { return &rbacv1.Role{} }},
	{Kind: "RoleBinding", Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "rolebindings", Namespaced: true, New: func() any { return &rbacv1.RoleBinding{} }},
	// Cluster-wide grants: who holds a cluster role, and which users may use
	// a security context constraint (its users list).
	{Kind: "ClusterRoleBinding", Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings", New: func() any { return &rbacv1.ClusterRoleBinding{} }},
	{Kind: "SecurityContextConstraints", Group: "security.openshift.io", Version: "v1", Resource: "securitycontextconstraints", Short: []string{"scc"}, New: func() any { return &securityv1.SecurityContextConstraints{} }},
	{Kind: "DeploymentConfig", Group: "apps.openshift.io", Version: "v1", Resource: "deploymentconfigs", Short: []string{"dc"}, Namespaced: true, New: func() any { return &appsv1.DeploymentConfig{} }},
	{Kind: "ImageStream", Group: "image.openshift.io", Version: "v1", Resource: "imagestreams", Short: []string{"is"}, Namespaced: true, New: func() any { return &imagev1.ImageStream{} }},
	{Kind: "ImageStreamTag", Group: "image.openshift.io", Version: "v1", Resource: "imagestreamtags", Short: []string{"istag"}, Namespaced: true, New: func() any { return &imagev1.ImageStreamTag{} }},
	{Kind: "Route", Group: "route.openshift.io", Version: "v1", Resource: "routes", Namespaced: true, New: func() any { return &routev1.Route{} }},
	{Kind: "BuildConfig", Group: "build.openshift.io", Version: "v1", Resource: "buildconfigs", Short: []string{"bc"}, Namespaced: true, New: func() any { return &buildv1.BuildConfig{} }},
	{Kind: "Build", Group: "build.openshift.io", Version: "v1", Resource: "builds", Namespaced: true, New: func() any { return &buildv1.Build{} }},
	{Kind: "ClusterVersion", Group: "config.openshift.io", Version: "v1", Resource: "clusterversions", Custom: true, New: func() any { return &configv1.ClusterVersion{} }},
	{Kind: "Subscription", Group: "operators.coreos.com", Version: "v1alpha1", Resource: "subscriptions", Short: []string{"sub", "subs"}, Namespaced: true, Custom: true, New: func() any { return &olmv1alpha1.Subscription{} }},
	{Kind: "InstallPlan", Group: "operators.coreos.com", Version: "v1alpha1", Resource: "installplans", Short: []string{"ip"}, Namespaced: true, Custom: true, New: func() any { return &olmv1alpha1.InstallPlan{} }},
	{Kind: "ClusterServiceVersion", Group: "operators.coreos.com", Version: "v1alpha1", Resource: "clusterserviceversions", Short: []string{"csv", "csvs"}, Namespaced: true, Custom: true, New: func() any { return &olmv1alpha1.ClusterServiceVersion{} }},
	{Kind: "CatalogSource", Group: "operators.coreos.com", Version: "v1alpha1", Resource: "catalogsources", Short: []string{"catsrc"}, Namespaced: true, Custom: true, New: func() any { return &olmv1alpha1.CatalogSource{} }},
	{Kind: "OperatorGroup", Group: "operators.coreos.com", Version: "v1", Resource: "operatorgroups", Short: []string{"og"}, Namespaced: true, Custom: true, New: func() any { return &OperatorGroup{} }},
	{Kind: "PackageManifest", Group: "packages.operators.coreos.com", Version: "v1", Resource: "packagemanifests", Namespaced: true, New: func() any { return &PackageManifest{} }},
	{Kind: "APIManager", Group: "apps.3scale.net", Version: "v1alpha1", Resource: "apimanagers", Namespaced: true, Custom: true, New: func() any { return &APIManager{} }},
	// Kinds the simulator serves but no controller acts on; the runbooks'
	// backups list them.
	{Kind: "LimitRange", Version: "v1", Resource: "limitranges", Short: []string{"limits"}, Namespaced: true, New: func() any { return &corev1.LimitRange{} }},
	{Kind: "ResourceQuota", Version: "v1", Resource: "resourcequotas", Short: []string{"quota"}, Namespaced: true, New: func() any { return &corev1.ResourceQuota{} }},
	{Kind: "Endpoints", Version: "v1", Resource: "endpoints", Short: []string{"ep"}, Namespaced: true, New: func() any { return &corev1.Endpoints{} }},
	{Kind: "CronJob", Group: "batch", Version: "v1", Resource: "cronjobs", Short: []string{"cj"}, Namespaced: true, New: func() any { return &batchv1.CronJob{} }},
	{Kind: "StatefulSet", Group: "apps", Version: "v1", Resource: "statefulsets", Short: []string{"sts"}, Namespaced: true, New: func() any { return &kappsv1.StatefulSet{} }},
	{Kind: "ReplicaSet", Group: "apps", Version: "v1", Resource: "replicasets", Short: []string{"rs"}, Namespaced: true, New: func() any { return &kappsv1.ReplicaSet{} }},
	{Kind: "HorizontalPodAutoscaler", Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers", Short: []string{"hpa"}, Namespaced: true, New: func() any { return &autoscalingv2.HorizontalPodAutoscaler{} }},
	{Kind: "PodDisruptionBudget", Group: "policy", Version: "v1", Resource: "poddisruptionbudgets", Short: []string{"pdb"}, Namespaced: true, New: func() any { return &policyv1.PodDisruptionBudget{} }},
	{Kind: "RoleBindingRestriction", Group: "authorization.openshift.io", Version: "v1", Resource: "rolebindingrestrictions", Namespaced: true, New: func() any { return &authorizationv1.RoleBindingRestriction{} }},
	{Kind: "Template", Group: "template.openshift.io", Version: "v1", Resource: "templates", Namespaced: true, New: func() any { return &templatev1.Template{} }},
	{Kind: "APIcast", Group: "apps.3scale.net", Version: "v1alpha1", Resource: "apicasts", Namespaced: true, Custom: true, New: func() any { return &APIcast{} }},
}

// kindByName finds a kind by its Kind field.
func kindByName(kind string) *Kind {
	for _, k := range kinds {
		if k.Kind == kind {
			return k
		}
	}
	return nil
}

// knativeSubscription is Knative eventing's Subscription, which a cluster
// running OpenShift Serverless serves beside OLM's ($OCSIM_KNATIVE). The
// simulator holds none: it is there for what oc resolves a bare name to.
var knativeSubscription = &Kind{Kind: "Subscription", Group: "messaging.knative.dev", Version: "v1", Resource: "subscriptions",
	Namespaced: true, Custom: true, New: func() any { return &KnativeSubscription{} }}

// resolveResource finds the kind oc means by a resource argument: a kind,
// its plural, a short name or RESOURCE.GROUP, in any case. With knative,
// the cluster also serves Knative eventing's subscriptions, and oc's
// RESTMapper resolves a bare "subscription", "subscriptions" or "sub" (both
// CRDs have that short name) to the group
// that discovery lists first: custom resource groups share one priority
// and are listed by name, so messaging.knative.dev comes before
// operators.coreos.com. A name qualified by its group is never ambiguous.
func resolveResource(arg string, knative bool) *Kind {
	a := strings.ToLower(arg)
	if knative {
		switch a {
		case "subscription", "subscriptions", "sub", "subscription.messaging.knative.dev", "subscriptions.messaging.knative.dev":
			return knativeSubscription
		}
	}
	for _, k := range kinds {
		l := strings.ToLower(k.Kind)
		if a == l || a == k.Resource || a == l+"."+k.Group || a == k.Resource+"."+k.Group {
			return k
		}
		for _, s := range k.Short {
			if a == s {
				return k
			}
		}
	}
	return nil
}
