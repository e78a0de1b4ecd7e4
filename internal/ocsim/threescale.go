package ocsim

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The types below stand for custom resources that have no small Go module:
// the 3scale operator's APIManager and the APIcast operator's APIcast
// (apps.3scale.net/v1alpha1), and OLM's PackageManifest
// (packages.operators.coreos.com/v1, served by the package server). They
// carry the fields of the 2.15/2.16 CRDs that the runbooks and fixtures read
// or write, so that strict decoding refuses a misspelt field as the server's
// structural schema would. A field of the real CRD that is missing here is
// refused too: add it when a runbook needs it.

// APIManager is the 3scale operator's custom resource.
type APIManager struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              APIManagerSpec   `json:"spec,omitempty"`
	Status            APIManagerStatus `json:"status,omitempty"`
}

// APIManagerSpec is the spec of an APIManager.
type APIManagerSpec struct {
	WildcardDomain               string                          `json:"wildcardDomain"`
	AppLabel                     *string                         `json:"appLabel,omitempty"`
	TenantName                   *string                         `json:"tenantName,omitempty"`
	ImageStreamTagImportInsecure *bool                           `json:"imageStreamTagImportInsecure,omitempty"`
	ResourceRequirementsEnabled  *bool                           `json:"resourceRequirementsEnabled,omitempty"`
	ImagePullSecrets             []corev1.LocalObjectReference   `json:"imagePullSecrets,omitempty"`
	Apicast                      *APIManagerApicastSpec          `json:"apicast,omitempty"`
	Backend                      *APIManagerBackendSpec          `json:"backend,omitempty"`
	System                       *APIManagerSystemSpec           `json:"system,omitempty"`
	Zync                         *APIManagerZyncSpec             `json:"zync,omitempty"`
	HighAvailability             *APIManagerHighAvailabilitySpec `json:"highAvailability,omitempty"`
	PodDisruptionBudget          *struct {
		Enabled bool `json:"enabled,omitempty"`
	} `json:"podDisruptionBudget,omitempty"`
	Monitoring *struct {
		Enabled               bool  `json:"enabled,omitempty"`
		EnablePrometheusRules *bool `json:"enablePrometheusRules,omitempty"`
	} `json:"monitoring,omitempty"`
	ExternalComponents *APIManagerExternalComponents `json:"externalComponents,omitempty"`
}

// PodSpecFields are the scheduling and sizing fields each component spec has.
type PodSpecFields struct {
	Replicas                  *int64                            `json:"replicas,omitempty"`
	Affinity                  *corev1.Affinity                  `json:"affinity,omitempty"`
	Tolerations               []corev1.Toleration               `json:"tolerations,omitempty"`
	Resources                 *corev1.ResourceRequirements      `json:"resources,omitempty"`
	PriorityClassName         string                            `json:"priorityClassName,omitempty"`
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`
	Labels                    map[string]string                 `json:"labels,omitempty"`
	Annotations               map[string]string                 `json:"annotations,omitempty"`
	HorizontalPodAutoscaler   bool                              `json:"hpa,omitempty"`
}

// APIManagerApicastSpec is spec.apicast.
type APIManagerApicastSpec struct {
	ManagementAPI  *string `json:"managementAPI,omitempty"`
	OpenSSLVerify  *bool   `json:"openSSLVerify,omitempty"`
	ResponseCodes  *bool   `json:"responseCodes,omitempty"`
	RegistryURL    *string `json:"registryURL,omitempty"`
	Image          *string `json:"image,omitempty"`
	ProductionSpec *struct {
		PodSpecFields `json:",inline"`
		Workers       *int64  `json:"workers,omitempty"`
		LogLevel      *string `json:"logLevel,omitempty"`
	} `json:"productionSpec,omitempty"`
	StagingSpec *struct {
		PodSpecFields `json:",inline"`
		LogLevel      *string `json:"logLevel,omitempty"`
	} `json:"stagingSpec,omitempty"`
}

// APIManagerBackendSpec is spec.backend.
type APIManagerBackendSpec struct {
	Image                      *string                      `json:"image,omitempty"`
	RedisImage                 *string                      `json:"redisImage,omitempty"`
	RedisPersistentVolumeClaim *APIManagerPVCSpec           `json:"redisPersistentVolumeClaim,omitempty"`
	RedisResources             *corev1.ResourceRequirements `json:"redisResources,omitempty"`
	RedisAffinity              *corev1.Affinity             `json:"redisAffinity,omitempty"`
	RedisTolerations           []corev1.Toleration          `json:"redisTolerations,omitempty"`
	ListenerSpec               *PodSpecFields               `json:"listenerSpec,omitempty"`
	WorkerSpec                 *PodSpecFields               `json:"workerSpec,omitempty"`
	CronSpec                   *PodSpecFields               `json:"cronSpec,omitempty"`
}

// APIManagerPVCSpec is a persistent volume claim setting.
type APIManagerPVCSpec struct {
	StorageClassName *string                            `json:"storageClassName,omitempty"`
	Resources        *corev1.VolumeResourceRequirements `json:"resources,omitempty"`
	VolumeName       *string                            `json:"volumeName,omitempty"`
}

// APIManagerSystemSpec is spec.system.
type APIManagerSystemSpec struct {
	Image                      *string                      `json:"image,omitempty"`
	MemcachedImage             *string                      `json:"memcachedImage,omitempty"`
	RedisImage                 *string                      `json:"redisImage,omitempty"`
	RedisPersistentVolumeClaim *APIManagerPVCSpec           `json:"redisPersistentVolumeClaim,omitempty"`
	RedisResources             *corev1.ResourceRequirements `json:"redisResources,omitempty"`
	MemcachedResources         *corev1.ResourceRequirements `json:"memcachedResources,omitempty"`
	FileStorage                *struct {
		PVC *APIManagerPVCSpec `json:"persistentVolumeClaim,omitempty"`
		S3  *struct {
			ConfigurationSecretRef corev1.LocalObjectReference `json:"configurationSecretRef"`
			STS                    *struct {
				Enabled  *bool   `json:"enabled,omitempty"`
				Audience *string `json:"audience,omitempty"`
			} `json:"sts,omitempty"`
		} `json:"simpleStorageService,omitempty"`
	} `json:"fileStorage,omitempty"`
	Database *struct {
		MySQL *struct {
			Image                 *string            `json:"image,omitempty"`
			PersistentVolumeClaim *APIManagerPVCSpec `json:"persistentVolumeClaim,omitempty"`
		} `json:"mysql,omitempty"`
		PostgreSQL *struct {
			Image                 *string            `json:"image,omitempty"`
			PersistentVolumeClaim *APIManagerPVCSpec `json:"persistentVolumeClaim,omitempty"`
		} `json:"postgresql,omitempty"`
	} `json:"database,omitempty"`
	AppSpec *struct {
		PodSpecFields               `json:",inline"`
		MasterContainerResources    *corev1.ResourceRequirements `json:"masterContainerResources,omitempty"`
		ProviderContainerResources  *corev1.ResourceRequirements `json:"providerContainerResources,omitempty"`
		DeveloperContainerResources *corev1.ResourceRequirements `json:"developerContainerResources,omitempty"`
	} `json:"appSpec,omitempty"`
	SidekiqSpec *PodSpecFields `json:"sidekiqSpec,omitempty"`
	// SphinxSpec is the system-sphinx settings of the CRD before 2.14
	// (deprecated by searchdSpec in 0.11).
	SphinxSpec  *PodSpecFields `json:"sphinxSpec,omitempty"`
	SearchdSpec *struct {
		PodSpecFields         `json:",inline"`
		Image                 *string            `json:"image,omitempty"`
		PersistentVolumeClaim *APIManagerPVCSpec `json:"persistentVolumeClaim,omitempty"`
	} `json:"searchdSpec,omitempty"`
}

// APIManagerZyncSpec is spec.zync.
type APIManagerZyncSpec struct {
	Image               *string                      `json:"image,omitempty"`
	PostgreSQLImage     *string                      `json:"postgreSQLImage,omitempty"`
	DatabaseResources   *corev1.ResourceRequirements `json:"databaseResources,omitempty"`
	DatabaseAffinity    *corev1.Affinity             `json:"databaseAffinity,omitempty"`
	DatabaseTolerations []corev1.Toleration          `json:"databaseTolerations,omitempty"`
	AppSpec             *PodSpecFields               `json:"appSpec,omitempty"`
	QueSpec             *PodSpecFields               `json:"queSpec,omitempty"`
}

// APIManagerHighAvailabilitySpec is spec.highAvailability.
type APIManagerHighAvailabilitySpec struct {
	Enabled                     bool  `json:"enabled,omitempty"`
	ExternalZyncDatabaseEnabled *bool `json:"externalZyncDatabaseEnabled,omitempty"`
}

// APIManagerExternalComponents is spec.externalComponents.
type APIManagerExternalComponents struct {
	Backend *struct {
		Redis *bool `json:"redis,omitempty"`
	} `json:"backend,omitempty"`
	System *struct {
		Database *bool `json:"database,omitempty"`
		Redis    *bool `json:"redis,omitempty"`
	} `json:"system,omitempty"`
	Zync *struct {
		Database *bool `json:"database,omitempty"`
	} `json:"zync,omitempty"`
}

// APIManagerStatus is the status the operator writes.
type APIManagerStatus struct {
	Conditions  []CRCondition `json:"conditions,omitempty"`
	Deployments struct {
		Ready    []string `json:"ready,omitempty"`
		Starting []string `json:"starting,omitempty"`
		Stopped  []string `json:"stopped,omitempty"`
	} `json:"deployments,omitempty"`
}

// CRCondition is the condition type of the 3scale custom resources.
type CRCondition struct {
	Type               string      `json:"type"`
	Status             string      `json:"status"`
	Reason             string      `json:"reason,omitempty"`
	Message            string      `json:"message,omitempty"`
	LastTransitionTime metav1.Time `json:"lastTransitionTime,omitempty"`
}

// APIcast is the APIcast operator's custom resource.
type APIcast struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              struct {
		PodSpecFields                  `json:",inline"`
		AdminPortalCredentialsRef      *corev1.LocalObjectReference `json:"adminPortalCredentialsRef,omitempty"`
		EmbeddedConfigurationSecretRef *corev1.LocalObjectReference `json:"embeddedConfigurationSecretRef,omitempty"`
		ServiceAccount                 *string                      `json:"serviceAccount,omitempty"`
		Image                          *string                      `json:"image,omitempty"`
		ExposedHost                    *struct {
			Host string           `json:"host"`
			TLS  []map[string]any `json:"tls,omitempty"`
		} `json:"exposedHost,omitempty"`
		DeploymentEnvironment *string `json:"deploymentEnvironment,omitempty"`
		LogLevel              *string `json:"logLevel,omitempty"`
		ConfigurationLoadMode *string `json:"configurationLoadMode,omitempty"`
	} `json:"spec,omitempty"`
	Status struct {
		Conditions []CRCondition `json:"conditions,omitempty"`
		Image      string        `json:"image,omitempty"`
	} `json:"status,omitempty"`
}

// PackageManifest is what OLM's package server answers for one package of
// a catalog.
type PackageManifest struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              struct{} `json:"spec,omitempty"`
	Status            struct {
		CatalogSource            string `json:"catalogSource"`
		CatalogSourceDisplayName string `json:"catalogSourceDisplayName,omitempty"`
		CatalogSourcePublisher   string `json:"catalogSourcePublisher,omitempty"`
		CatalogSourceNamespace   string `json:"catalogSourceNamespace"`
		Provider                 *struct {
			Name string `json:"name,omitempty"`
		} `json:"provider,omitempty"`
		PackageName    string `json:"packageName"`
		DefaultChannel string `json:"defaultChannel"`
		Channels       []struct {
			Name       string `json:"name"`
			CurrentCSV string `json:"currentCSV"`
			// Entries are the channel's CSVs, head first
			// (operators.coreos.com PackageChannel.Entries).
			Entries []struct {
				Name    string `json:"name"`
				Version string `json:"version,omitempty"`
			} `json:"entries,omitempty"`
		} `json:"channels"`
	} `json:"status,omitempty"`
}

// OperatorGroup is OLM's operators.coreos.com/v1 OperatorGroup (its Go type
// lives in a package that brings controller-runtime along).
type OperatorGroup struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              struct {
		Selector           *metav1.LabelSelector `json:"selector,omitempty"`
		TargetNamespaces   []string              `json:"targetNamespaces,omitempty"`
		ServiceAccountName string                `json:"serviceAccountName,omitempty"`
		StaticProvidedAPIs bool                  `json:"staticProvidedAPIs,omitempty"`
		// UpgradeStrategy is a string in the JSON form.
		UpgradeStrategy string `json:"upgradeStrategy,omitempty"`
	} `json:"spec,omitempty"`
	Status struct {
		LastUpdated *metav1.Time       `json:"lastUpdated"`
		Namespaces  []string           `json:"namespaces"`
		Conditions  []metav1.Condition `json:"conditions,omitempty"`
	} `json:"status,omitempty"`
}

// KnativeSubscription is Knative eventing's Subscription
// (messaging.knative.dev/v1), with the fields of its CRD that tell it from
// OLM's: a channel reference and a subscriber.
type KnativeSubscription struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              struct {
		Channel    corev1.ObjectReference `json:"channel"`
		Subscriber *struct {
			Ref *corev1.ObjectReference `json:"ref,omitempty"`
			URI string                  `json:"uri,omitempty"`
		} `json:"subscriber,omitempty"`
	} `json:"spec"`
	Status struct {
		Conditions []metav1.Condition `json:"conditions,omitempty"`
	} `json:"status,omitempty"`
}
