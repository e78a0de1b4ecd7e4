package ocsim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// digestOf is the (fake) manifest digest of an image reference.
func digestOf(image string) string {
	sum := sha256.Sum256([]byte(image))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// repository drops an image reference's tag or digest.
func repository(image string) string {
	if at := strings.Index(image, "@"); at >= 0 {
		return image[:at]
	}
	if colon := strings.LastIndex(image, ":"); colon > strings.LastIndex(image, "/") {
		return image[:colon]
	}
	return image
}

// pinned is the reference an import gives an image: its repository at the
// digest.
func pinned(image string) string {
	if strings.Contains(image, "@sha256:") {
		return image
	}
	return repository(image) + "@" + digestOf(image)
}

const internalRegistry = "image-registry.openshift-image-registry.svc:5000"

// importController imports the DockerImage tags of every ImageStream
// whose spec generation is ahead of its status, a few seconds later, and
// resolves tags that point at other tags of the stream. An import of an
// image listed in OCSIM_IMPORT_FAIL fails with an ImportSuccess=False
// condition, as the server reports a manifest it cannot read.
func importController(c *Cluster) {
	for _, is := range c.list("", "ImageStream") {
		ns, name := str(is, "metadata", "namespace"), str(is, "metadata", "name")
		changed := false
		if str(is, "status", "dockerImageRepository") == "" {
			setNested(is, internalRegistry+"/"+ns+"/"+name, "status", "dockerImageRepository")
			changed = true
		}
		gen := num(is, "metadata", "generation")
		specTags := list(is, "spec", "tags")
		for _, t := range specTags {
			tag := t.(map[string]any)
			if tag["generation"] == nil {
				// A seeded tag without a generation: the stream's.
				tag["generation"] = gen
				changed = true
			}
		}
		// Status tags whose spec tag is gone go too.
		var kept []any
		for _, st := range list(is, "status", "tags") {
			if specTag(is, str(st, "tag")) != nil {
				kept = append(kept, st)
			} else {
				changed = true
			}
		}
		if changed {
			setNested(is, kept, "status", "tags")
		}
		for _, t := range specTags {
			tag := t.(map[string]any)
			tagName := str(tag, "name")
			tgen := num(tag, "generation")
			switch str(tag, "from", "kind") {
			case "DockerImage":
				image := str(tag, "from", "name")
				st := statusTag(is, tagName)
				if len(list(st, "items")) > 0 && num(list(st, "items")[0], "generation") >= tgen {
					continue
				}
				if failedImport(st, tgen) {
					continue
				}
				key := fmt.Sprintf("import/%s/%s/%s/%d", ns, name, tagName, tgen)
				if !c.after(key, 4*time.Second, 30*time.Second) {
					continue
				}
				c.done(key)
				if !c.instant && c.matches(c.cfg.ImportFail, image) {
					setImportFailure(c, is, tagName, tgen, image)
				} else {
					ref := pinned(image)
					if str(tag, "referencePolicy", "type") == "Local" {
						ref = internalRegistry + "/" + ns + "/" + name + "@" + digestOf(image)
					}
					pushItem(c, is, tagName, ref, digestOf(image), tgen)
				}
				changed = true
			case "ImageStreamTag":
				from := str(tag, "from", "name")
				other, otherTag := name, from
				if s, t, ok := strings.Cut(from, ":"); ok {
					other, otherTag = s, t
				}
				src := is
				if other != name {
					src = c.get(ns, "ImageStream", other)
				}
				item := latestItem(src, otherTag)
				if item == nil {
					continue
				}
				cur := latestItem(is, tagName)
				if cur != nil && str(cur, "dockerImageReference") == str(item, "dockerImageReference") {
					continue
				}
				pushItem(c, is, tagName, str(item, "dockerImageReference"), str(item, "image"), tgen)
				changed = true
			}
		}
		if changed {
			c.put(is)
		}
	}
}

func (c *Cluster) matches(patterns []string, s string) bool {
	for _, p := range patterns {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

func specTag(is Object, tag string) map[string]any {
	for _, t := range list(is, "spec", "tags") {
		if str(t, "name") == tag {
			return t.(map[string]any)
		}
	}
	return nil
}

func statusTag(is Object, tag string) map[string]any {
	for _, t := range list(is, "status", "tags") {
		if str(t, "tag") == tag {
			return t.(map[string]any)
		}
	}
	return nil
}

// latestItem is a tag's current image, or nil when it has none.
func latestItem(is Object, tag string) map[string]any {
	if is == nil {
		return nil
	}
	items := list(statusTag(is, tag), "items")
	if len(items) == 0 {
		return nil
	}
	return items[0].(map[string]any)
}

func failedImport(st map[string]any, gen int64) bool {
	for _, cond := range list(st, "conditions") {
		if str(cond, "type") == "ImportSuccess" && str(cond, "status") == "False" && num(cond, "generation") >= gen {
			return true
		}
	}
	return false
}

func ensureStatusTag(is Object, tag string) map[string]any {
	if st := statusTag(is, tag); st != nil {
		return st
	}
	st := map[string]any{"tag": tag, "items": []any{}}
	setNested(is, append(list(is, "status", "tags"), st), "status", "tags")
	return st
}

func pushItem(c *Cluster, is Object, tag, ref, image string, gen int64) {
	st := ensureStatusTag(is, tag)
	item := map[string]any{"created": c.timestamp(), "dockerImageReference": ref, "image": image, "generation": gen}
	st["items"] = append([]any{item}, list(st, "items")...)
	delete(st, "conditions")
}

func setImportFailure(c *Cluster, is Object, tag string, gen int64, image string) {
	st := ensureStatusTag(is, tag)
	st["conditions"] = []any{map[string]any{
		"type": "ImportSuccess", "status": "False", "reason": "NotFound", "generation": gen,
		"lastTransitionTime": c.timestamp(),
		"message":            fmt.Sprintf("Internal error occurred: %s: manifest unknown", image),
	}}
}

// imageStreamTag is the virtual ImageStreamTag object the server answers
// for STREAM:TAG, or nil when the tag has no image.
func (c *Cluster) imageStreamTag(ns, name string) Object {
	stream, tag, ok := strings.Cut(name, ":")
	if !ok {
		return nil
	}
	is := c.get(ns, "ImageStream", stream)
	item := latestItem(is, tag)
	if item == nil {
		return nil
	}
	return Object{
		"apiVersion": "image.openshift.io/v1", "kind": "ImageStreamTag",
		"metadata":     map[string]any{"name": name, "namespace": ns, "creationTimestamp": str(item, "created")},
		"tag":          specTag(is, tag),
		"generation":   num(item, "generation"),
		"lookupPolicy": map[string]any{"local": false},
		"image": map[string]any{
			"metadata":             map[string]any{"name": str(item, "image")},
			"dockerImageReference": str(item, "dockerImageReference"),
		},
	}
}

// resolveTag follows an ImageChange trigger's ImageStreamTag to the image
// reference its stream holds now ("" when it has none yet).
func (c *Cluster) resolveTag(ns, from string) string {
	stream, tag, ok := strings.Cut(from, ":")
	if !ok {
		tag = "latest"
	}
	item := latestItem(c.get(ns, "ImageStream", stream), tag)
	if item == nil {
		return ""
	}
	return str(item, "dockerImageReference")
}
