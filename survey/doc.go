// Package survey reads a site from a namespace export: the facts a plan
// states about the 3scale site it upgrades (how it was installed, the
// version it runs and was first installed at, its system database, S3,
// the wildcard policy, the operator's project and Subscription, the
// databases already external), each with the object and field of the
// export it was read from. Render writes them as the plan ampc init
// gives a site to start from.
//
// It is the pipeline run backwards: the stages forward go plan → steps →
// bundle; a survey goes export → plan. It is a stage of its own, beside
// plan/ and snapshot/, because it is neither: it reads what snapshot/ read
// and writes what plan/ parses. The compiler reads a snapshot's version
// with ReadRelease too, to refuse a plan whose from is not the site's at
// the field of the export that shows it, so that ampc init and the check
// read it in one place.
//
// The package knows nothing of rule modules, hops or bundles. What an
// export cannot show (the externalization choices of 2.16, the backup
// directory, a registry mirror) it writes as commented choices with their
// valid values. It never reads a Secret's value: only that a Secret exists
// and, for a URL, its scheme (snapshot.URLScheme).
package survey
