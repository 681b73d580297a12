package main

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/vigilsiem/vigil/internal/detect/sigma"
)

// productCount is one line of `vigil rules check`'s per-product report:
// how many rules of a product (logsource product, else category) compiled,
// and how many of those read only fields a normaliser or pipeline fills
// (sigma.Rule.UnmappedFields), with the unmapped fields and how many rules
// read each.
type productCount struct {
	Product  string         `json:"product"`
	Compiled int            `json:"compiled"`
	Mapped   int            `json:"mapped"`
	Unmapped map[string]int `json:"unmapped_fields,omitempty"`
}

// productCounts groups the compiled rules by product, largest first.
func productCounts(rules []*sigma.Compiled) []productCount {
	by := map[string]*productCount{}
	for _, c := range rules {
		p := c.Rule.ProductOf()
		pc := by[p]
		if pc == nil {
			pc = &productCount{Product: p}
			by[p] = pc
		}
		pc.Compiled++
		un := c.Rule.UnmappedFields()
		if len(un) == 0 {
			pc.Mapped++
			continue
		}
		if pc.Unmapped == nil {
			pc.Unmapped = map[string]int{}
		}
		for _, f := range un {
			pc.Unmapped[f]++
		}
	}
	out := make([]productCount, 0, len(by))
	for _, pc := range by {
		out = append(out, *pc)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Compiled != out[j].Compiled {
			return out[i].Compiled > out[j].Compiled
		}
		return out[i].Product < out[j].Product
	})
	return out
}

// writeProductCounts prints the per-product table, with the three fields
// most often unmapped for each product that has any.
func writeProductCounts(w io.Writer, pcs []productCount) error {
	fmt.Fprintln(w, "\nRules by product (mapped: every field has an ECS or product-namespace mapping):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  PRODUCT\tCOMPILED\tMAPPED\tMOST UNMAPPED FIELDS")
	for _, pc := range pcs {
		fields := make([]string, 0, len(pc.Unmapped))
		for f := range pc.Unmapped {
			fields = append(fields, f)
		}
		sort.Slice(fields, func(i, j int) bool {
			if pc.Unmapped[fields[i]] != pc.Unmapped[fields[j]] {
				return pc.Unmapped[fields[i]] > pc.Unmapped[fields[j]]
			}
			return fields[i] < fields[j]
		})
		top := ""
		for i, f := range fields {
			if i == 3 {
				top += ", …"
				break
			}
			if i > 0 {
				top += ", "
			}
			top += fmt.Sprintf("%s (%d)", f, pc.Unmapped[f])
		}
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%s\n", pc.Product, pc.Compiled, pc.Mapped, top)
	}
	return tw.Flush()
}
