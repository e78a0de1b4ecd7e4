package ocsim

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// dcStatusView answers as origin's DeploymentConfigStatusViewer does: a
// message, whether the rollout is done, or an error.
func dcStatusView(dc Object, revision int64) (string, bool, error) {
	name := str(dc, "metadata", "name")
	latest := num(dc, "status", "latestVersion")
	if latest == 0 {
		switch {
		case hasTrigger(dc, "ImageChange"):
			return fmt.Sprintf("Deployment config %q waiting on image update\n", name), false, nil
		case len(list(dc, "spec", "triggers")) == 0:
			return "", true, fmt.Errorf("Deployment config %q waiting on manual update (use 'oc rollout latest %s')", name, name)
		}
	}
	if revision > 0 && latest != revision {
		return "", false, fmt.Errorf("desired revision (%d) is different from the running revision (%d)", revision, latest)
	}
	var cond map[string]any
	for _, c := range list(dc, "status", "conditions") {
		if str(c, "type") == "Progressing" {
			cond = c.(map[string]any)
		}
	}
	if num(dc, "metadata", "generation") <= num(dc, "status", "observedGeneration") {
		reason := str(cond, "reason")
		spec, updated := num(dc, "spec", "replicas"), num(dc, "status", "updatedReplicas")
		replicas, available := num(dc, "status", "replicas"), num(dc, "status", "availableReplicas")
		switch {
		case reason == "NewReplicationControllerAvailable":
			return str(cond, "message") + "\n", true, nil
		case reason == "ProgressDeadlineExceeded", reason == "RolloutCancelled":
			return "", true, errors.New(str(cond, "message"))
		case reason == "DeploymentConfigPaused":
			return "", true, fmt.Errorf("Deployment config %q is paused. Resume to continue watching the status of the rollout.\n", name)
		case updated < spec:
			return fmt.Sprintf("Waiting for rollout to finish: %d out of %d new replicas have been updated...\n", updated, spec), false, nil
		case replicas > updated:
			return fmt.Sprintf("Waiting for rollout to finish: %d old replicas are pending termination...\n", replicas-updated), false, nil
		case available < updated:
			return fmt.Sprintf("Waiting for rollout to finish: %d of %d updated replicas are available...\n", available, updated), false, nil
		}
	}
	return "Waiting for latest deployment config spec to be observed by the controller loop...\n", false, nil
}

// deploymentStatusView answers as kubectl's DeploymentStatusViewer does.
func deploymentStatusView(d Object, revision int64) (string, bool, error) {
	name := str(d, "metadata", "name")
	if revision > 0 {
		cur, _ := strconv.ParseInt(annotation(d, "deployment.kubernetes.io/revision"), 10, 64)
		if cur != revision {
			return "", false, fmt.Errorf("desired revision (%d) is different from the running revision (%d)", revision, cur)
		}
	}
	if num(d, "metadata", "generation") <= num(d, "status", "observedGeneration") {
		for _, c := range list(d, "status", "conditions") {
			if str(c, "type") == "Progressing" && str(c, "reason") == "ProgressDeadlineExceeded" {
				return "", false, fmt.Errorf("deployment %q exceeded its progress deadline", name)
			}
		}
		want := int64(1)
		if nested(d, "spec", "replicas") != nil {
			want = num(d, "spec", "replicas")
		}
		updated, replicas, available := num(d, "status", "updatedReplicas"), num(d, "status", "replicas"), num(d, "status", "availableReplicas")
		switch {
		case updated < want:
			return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d out of %d new replicas have been updated...\n", name, updated, want), false, nil
		case replicas > updated:
			return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d old replicas are pending termination...\n", name, replicas-updated), false, nil
		case available < updated:
			return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d of %d updated replicas are available...\n", name, available, updated), false, nil
		}
		return fmt.Sprintf("deployment %q successfully rolled out\n", name), true, nil
	}
	return "Waiting for deployment spec update to be observed...\n", false, nil
}

func (r *run) rollout(args []string) int {
	if len(args) == 0 {
		return r.fail("error: rollout needs a subcommand")
	}
	sub := args[0]
	f := parseFlags(args[1:], "--dry-run", "--again")
	t, obj, code := r.one(f.pos)
	if obj == nil {
		return code
	}
	ns, name := r.ns, t.name
	switch sub {
	case "status":
		watch := f.get("-w", "--watch") != "false"
		revision, _ := strconv.ParseInt(f.get("--revision"), 10, 64)
		timeout := 24 * time.Hour
		if v := f.get("--timeout"); v != "" && v != "0" && v != "0s" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return r.fail("error: invalid argument %q for \"--timeout\" flag: %v", v, err)
			}
			timeout = d
		}
		start := r.c.st.Now
		last := ""
		for {
			obj = r.c.get(ns, t.kind.Kind, name)
			if obj == nil {
				return r.fail("%s", notFound(t.kind, name))
			}
			var msg string
			var done bool
			var err error
			switch t.kind.Kind {
			case "DeploymentConfig":
				msg, done, err = dcStatusView(obj, revision)
			case "Deployment":
				msg, done, err = deploymentStatusView(obj, revision)
			default:
				return r.fail("error: no status viewer has been implemented for %s", t.kind.Kind)
			}
			if err != nil {
				return r.fail("error: %v", err)
			}
			if msg != last {
				fmt.Fprint(r.out, msg)
				last = msg
			}
			if done || !watch {
				return 0
			}
			if time.Duration(r.c.st.Now-start)*time.Millisecond >= timeout {
				return r.fail("error: timed out waiting for the condition")
			}
			r.c.advance(time.Second)
		}
	case "latest":
		if t.kind.Kind != "DeploymentConfig" {
			return r.fail("error: rollout latest is only supported on deploymentconfigs")
		}
		if paused, _ := nested(obj, "spec", "paused").(bool); paused {
			return r.fail("error: cannot deploy a paused deployment config")
		}
		latest := num(obj, "status", "latestVersion")
		if rc := r.c.get(ns, "ReplicationController", fmt.Sprintf("%s-%d", name, latest)); rc != nil {
			if phase := annotation(rc, annPhase); !terminalPhase(phase) {
				return r.fail("error: #%d is already in progress (%s).", latest, phase)
			}
		}
		// Latest: the images come from the triggers first.
		for _, tr := range list(obj, "spec", "triggers") {
			params := mapAt(tr, "imageChangeParams")
			if params == nil {
				continue
			}
			ref := r.c.resolveTag(ns, str(params, "from", "name"))
			if ref == "" {
				continue
			}
			names := map[string]bool{}
			for _, n := range list(params, "containerNames") {
				names[n.(string)] = true
			}
			for _, ctr := range list(obj, "spec", "template", "spec", "containers") {
				if names[str(ctr, "name")] {
					ctr.(map[string]any)["image"] = ref
				}
			}
			params["lastTriggeredImage"] = ref
		}
		r.c.instantiate(obj, map[string]any{"type": "Manual"})
		fmt.Fprintf(r.out, "%s/%s rolled out\n", t.kind.nameForm(), name)
		return 0
	case "history":
		if t.kind.Kind != "DeploymentConfig" {
			fmt.Fprintf(r.out, "%s/%s\nREVISION  CHANGE-CAUSE\n%s  <none>\n", t.kind.nameForm(), name, annotation(obj, "deployment.kubernetes.io/revision"))
			return 0
		}
		fmt.Fprintf(r.out, "%s/%s\nREVISION\tSTATUS\tCAUSE\n", t.kind.nameForm(), name)
		for _, rc := range dcRCs(r.c, ns, name) {
			fmt.Fprintf(r.out, "%d\t%s\tconfig change\n", rcVersion(rc), annotation(rc, annPhase))
		}
		return 0
	case "undo":
		if t.kind.Kind != "DeploymentConfig" {
			return r.fail("error: rollout undo is only modelled for deploymentconfigs")
		}
		to, _ := strconv.ParseInt(f.get("--to-revision"), 10, 64)
		latest := num(obj, "status", "latestVersion")
		var target Object
		for _, rc := range dcRCs(r.c, ns, name) {
			v := rcVersion(rc)
			if to > 0 && v == to || to == 0 && v < latest && annotation(rc, annPhase) == "Complete" {
				target = rc
			}
		}
		if target == nil {
			return r.fail("error: couldn't find deployment for rollback")
		}
		setNested(obj, rcTemplateOf(target), "spec", "template")
		var disabled []string
		for _, tr := range list(obj, "spec", "triggers") {
			if p := mapAt(tr, "imageChangeParams"); p != nil && p["automatic"] == true {
				p["automatic"] = false
				disabled = append(disabled, str(p, "from", "name"))
			}
		}
		r.c.instantiate(obj, map[string]any{"type": "Manual"})
		if len(disabled) > 0 {
			fmt.Fprintf(r.err, "Warning: the following images triggers were disabled: %s\n  You can re-enable them with: oc set triggers dc/%s --auto\n", strings.Join(disabled, ", "), name)
		}
		fmt.Fprintf(r.out, "%s/%s rolled back\n", t.kind.nameForm(), name)
		return 0
	case "pause", "resume":
		next := clone(obj)
		setNested(next, sub == "pause", "spec", "paused")
		if _, err := r.update(t.kind, obj, next); err != nil {
			return r.fail("Error from server (BadRequest): %v", err)
		}
		fmt.Fprintf(r.out, "%s/%s %sd\n", t.kind.nameForm(), name, strings.TrimSuffix(sub, "e"))
		return 0
	case "restart":
		if t.kind.Kind != "Deployment" {
			return r.fail("error: %s %q restarting is not supported", t.kind.qualified(), name)
		}
		next := clone(obj)
		setNested(next, r.c.now().Format(time.RFC3339), "spec", "template", "metadata", "annotations", "kubectl.kubernetes.io/restartedAt")
		if _, err := r.update(t.kind, obj, next); err != nil {
			return r.fail("Error from server (BadRequest): %v", err)
		}
		fmt.Fprintf(r.out, "%s/%s restarted\n", t.kind.nameForm(), name)
		return 0
	case "cancel":
		latest := num(obj, "status", "latestVersion")
		rcName := fmt.Sprintf("%s-%d", name, latest)
		rc := r.c.get(ns, "ReplicationController", rcName)
		if rc == nil || terminalPhase(annotation(rc, annPhase)) {
			return r.fail("error: there have been no replication controller changes to cancel")
		}
		setAnnotation(rc, annCancelled, "true")
		r.c.put(rc)
		r.c.st.Stages["deploy/"+ns+"/"+rcName] = "failed"
		fmt.Fprintf(r.out, "%s/%s cancelling\n", t.kind.nameForm(), name)
		return 0
	}
	return r.fail("error: unknown command %q for \"oc rollout\"", sub)
}

// tag is oc tag: --source=docker IMAGE STREAM:TAG sets a DockerImage tag,
// STREAM:A STREAM:B (--alias for a reference) tags one tag into another,
// -d STREAM:TAG deletes a tag.
func (r *run) tag(args []string) int {
	f := parseFlags(args, "-d", "--delete", "--alias", "--scheduled", "--insecure")
	if f.bool("-d", "--delete") {
		for _, p := range f.pos {
			stream, tag, _ := strings.Cut(p, ":")
			is := r.c.get(r.ns, "ImageStream", stream)
			if is == nil || specTag(is, tag) == nil {
				return r.fail("error: %s:%s not found", stream, tag)
			}
			next := clone(is)
			var kept []any
			for _, t := range list(next, "spec", "tags") {
				if str(t, "name") != tag {
					kept = append(kept, t)
				}
			}
			setNested(next, kept, "spec", "tags")
			if _, err := r.update(kindByName("ImageStream"), is, next); err != nil {
				return r.fail("Error from server (BadRequest): %v", err)
			}
			fmt.Fprintf(r.out, "Deleted tag %s/%s.\n", r.ns, p)
		}
		return 0
	}
	if len(f.pos) < 2 {
		return r.fail("error: you must specify a source and at least one destination")
	}
	src := f.pos[0]
	from := map[string]any{"kind": "DockerImage", "name": src}
	switch {
	case f.get("--source") == "docker" || strings.Contains(src, "/"):
	case f.bool("--alias"):
		from = map[string]any{"kind": "ImageStreamTag", "name": src}
	default:
		stream, tag, _ := strings.Cut(src, ":")
		item := latestItem(r.c.get(r.ns, "ImageStream", stream), tag)
		if item == nil {
			return r.fail("error: %q is not currently pointing to an image, cannot use it as the source of a tag", src)
		}
		from = map[string]any{"kind": "ImageStreamImage", "name": stream + "@" + str(item, "image")}
	}
	for _, dst := range f.pos[1:] {
		stream, tag, ok := strings.Cut(dst, ":")
		if !ok {
			tag = "latest"
		}
		k := kindByName("ImageStream")
		is := r.c.get(r.ns, "ImageStream", stream)
		if is == nil {
			is = Object{"apiVersion": "image.openshift.io/v1", "kind": "ImageStream",
				"metadata": map[string]any{"name": stream, "namespace": r.ns}, "spec": map[string]any{"lookupPolicy": map[string]any{"local": false}}}
			r.c.create(is)
		}
		next := clone(is)
		entry := map[string]any{"name": tag, "from": from, "importPolicy": map[string]any{}, "referencePolicy": map[string]any{"type": "Source"}}
		if f.bool("--insecure") {
			entry["importPolicy"] = map[string]any{"insecure": true}
		}
		if f.get("--reference-policy") == "local" {
			entry["referencePolicy"] = map[string]any{"type": "Local"}
		}
		var tags []any
		replaced := false
		for _, t := range list(next, "spec", "tags") {
			if str(t, "name") == tag {
				t = entry
				replaced = true
			}
			tags = append(tags, t)
		}
		if !replaced {
			tags = append(tags, entry)
		}
		setNested(next, tags, "spec", "tags")
		if _, err := r.update(k, is, next); err != nil {
			return r.fail("Error from server (BadRequest): %v", err)
		}
		fmt.Fprintf(r.out, "Tag %s set to %s.\n", dst, src)
	}
	return 0
}
