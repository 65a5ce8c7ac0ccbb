package manage

import (
	"context"

	"github.com/bkjob/bkjob/platform/httpx"
)

// BizHosts lets anyone who may use a business see the hosts it can target
// and check a pasted target list against them: the host selector of the
// UI (bk-job's IP selector) and scripts that want to check before they
// launch. bk-job has no OpenAPI for either (its selector talks to its own
// web service and CMDB), so both are bkjob extensions.
//
// A business's hosts are the host rows of the business, agent or agentless
// (SSH), plus the rows of no business yet (biz_id 0), which the engine
// lets every business target; another business's hosts never show.
type BizHosts interface {
	// ListBizHosts pages through a business's hosts by host id, optionally
	// only those whose IP or host name holds a keyword.
	//api:v3 list_biz_hosts extension
	//api:web
	ListBizHosts(ctx context.Context, req ListBizHostsRequest) (BizHostPage, error)
	// CheckHosts says, in one call, which of up to MaxCheckHosts host ids
	// and (cloud area, IP) pairs the business does not have, and which of
	// those it has are offline.
	//api:v3 check_hosts post jobbody extension
	//api:web
	CheckHosts(ctx context.Context, req CheckHostsRequest) (HostCheck, error)
}

// Limits of list_biz_hosts and check_hosts.
const (
	// MaxHostKeywordLen bounds list_biz_hosts' keyword.
	MaxHostKeywordLen = 128
	// MaxCheckHosts bounds check_hosts: host ids and IPs together, the
	// same order of size as bk-job's 50,000 targets of a script step, cut
	// to what one request body (http.max_job_body_bytes) carries easily.
	MaxCheckHosts = 20000
)

// Transports of a host (BizHost.Transport).
const (
	TransportAgent = "agent" // bkjob's agent (or GSE's) runs on it
	TransportSSH   = "ssh"   // agentless: reached over SSH
)

// Agent states of a host (BizHost.AgentStatus), as the agents page words
// them. An agentless host has no agent: the SSH transport tries it when a
// task reaches it. Unknown: the server reaches hosts through BlueKing GSE,
// which alone knows (query_agent_info asks it).
const (
	AgentOnline    = "online"
	AgentOffline   = "offline"
	AgentNeverSeen = "never_seen"
	AgentNone      = "agentless"
	AgentUnknown   = "unknown"
)

// ListBizHostsRequest is list_biz_hosts (a bkjob extension). Keyword, when
// given, keeps the hosts whose IP or host name contains it; "cloud:IP…"
// also keeps the cloud area only, and a number also finds that host id.
// Start is the offset (default 0), Length the page size (default 20, at
// most 1000).
type ListBizHostsRequest struct {
	ScopeRef
	Keyword string `json:"keyword,omitempty"`
	Start   int    `json:"start,omitempty"`
	Length  int    `json:"length,omitempty"`
}

// BizHost is one host of a business as a target picker shows it. LastSeen
// is Unix milliseconds, 0 when its agent was never seen.
type BizHost struct {
	HostID      int64  `json:"bk_host_id"`
	CloudID     int64  `json:"bk_cloud_id"`
	IP          string `json:"ip"`
	Hostname    string `json:"hostname"`
	OS          string `json:"os"`
	Transport   string `json:"transport"`
	AgentStatus string `json:"agent_status"`
	LastSeen    int64  `json:"last_seen"`
}

// BizHostPage is one page of a business's hosts, bk-job's page shape.
type BizHostPage = httpx.V3Page[BizHost]

// HostIP is a host named by cloud area and IPv4 address.
type HostIP struct {
	CloudID int64  `json:"bk_cloud_id"`
	IP      string `json:"ip"`
}

// CheckHostsRequest is check_hosts (a bkjob extension, POST only): the
// hosts of a target list as bk-job's target_server names them.
type CheckHostsRequest struct {
	ScopeRef
	HostIDList []int64  `json:"host_id_list"`
	IPList     []HostIP `json:"ip_list"`
}

// HostCheck is check_hosts' answer. Checked counts the distinct entries,
// Known those the business has. The unknown entries come back as they
// were asked (in request order); OfflineHostList holds the known hosts
// whose agent is offline or was never seen, however they were named.
type HostCheck struct {
	Checked           int       `json:"checked"`
	Known             int       `json:"known"`
	UnknownHostIDList []int64   `json:"unknown_host_id_list"`
	UnknownIPList     []HostIP  `json:"unknown_ip_list"`
	OfflineHostList   []BizHost `json:"offline_host_list"`
}
