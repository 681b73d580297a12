package entity

// Limits, each with its reason. MaxEntities and MaxValues come from the
// configuration (config.Analytics); these are fixed.
const (
	// maxNameLen bounds an entity name: longer names are cut, so one odd
	// event cannot make a key of megabytes.
	maxNameLen = 256
	// maxValueLen bounds a learned value for the same reason.
	maxValueLen = 256
	// shards splits the entity table so pipeline workers rarely wait for
	// each other; a power of two.
	shards = 64
	// evictSample is how many entities are looked at to choose the one
	// forgotten when a shard is full (Redis' approximated LRU): 8 finds
	// one of the oldest ~12% without keeping a list per entity.
	evictSample = 8
	// maxPeerValues bounds the values a tenant's rarity analytic counts
	// peers for (per analytic), with the same sampled eviction.
	maxPeerValues = 100_000
	// maxContributions bounds the risk contributions an entity keeps for
	// its history and risk alerts; older ones still count in the score.
	maxContributions = 32
	// maxContributionEvents bounds the event ids kept per contribution.
	maxContributionEvents = 5
	// maxDistinct bounds the distinct values a rate analytic counts in one
	// hour of one entity; past it the count saturates (a count of 4,096
	// destinations in an hour alerts on any sane threshold).
	maxDistinct = 4096
	// rateWeeks is how many past weeks of each hour of week a rate
	// analytic keeps (with the hours either side: 3×rateWeeks samples).
	rateWeeks = 4
	// maxSparseRate is how many non-zero hours a rate history keeps in
	// its sparse form (4 bytes each) before it turns dense (168×rateWeeks
	// bytes): past it the sparse form is no smaller.
	maxSparseRate = 128
	// rateMinSamples is the least number of past samples a rate is
	// scored against.
	rateMinSamples = 3
	// maxListLimit bounds an entity listing.
	maxListLimit = 10_000
)
