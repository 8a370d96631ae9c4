import { checkString, type PreflightRule, type PrerequisiteRule } from "../rule";

const EC2_DESCRIPTION = { url: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html", read: "2026-11-30" };

/** EC2's charset for group and rule descriptions (CreateSecurityGroup, IpRange/UserIdGroupPair Description). */
const SG_DESCRIPTION = { pattern: /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/, max: 255, expected: "at most 255 of a-zA-Z0-9 space ._-:/()#,@[]+=&;{}!$*" };

/** What AWS refuses (see ../rule.ts for how a rule is written). */
export const awsRules: readonly PreflightRule[] = [
  {
    name: "preflight-aws-ec2-security-group-description-charset",
    description: "EC2 refuses security group and rule descriptions outside a-zA-Z0-9 space ._-:/()#,@[]+=&;{}!$* or over 255 characters.",
    level: "error",
    source: EC2_DESCRIPTION,
    types: ["aws:ec2/securityGroup:SecurityGroup", "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"],
    check: (props) => [
      ...checkString(props, "description", SG_DESCRIPTION),
      ...checkString(props, "ingress[].description", SG_DESCRIPTION),
      ...checkString(props, "egress[].description", SG_DESCRIPTION),
    ],
  },
];

/** What a team must arrange in AWS before `pulumi up` (listed by the plan). */
export const awsPrerequisites: readonly PrerequisiteRule[] = [];
