package io.ashbysync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class CloudFormationYamlTest {

    @Test
    void shortFormTags_becomeLongFormIntrinsics() {
        JsonNode node = CloudFormationYaml.read("""
                name: !Sub '${AWS::StackName}-tenants'
                table: !Ref TenantsTable
                arn: !GetAtt CommandsDeadLetterQueue.Arn
                joined: !Join [',', [a, !Ref B]]
                plain: text
                count: 5
                enabled: true
                """);

        assertThat(node.get("name").toString()).isEqualTo("{\"Fn::Sub\":\"${AWS::StackName}-tenants\"}");
        assertThat(node.get("table").toString()).isEqualTo("{\"Ref\":\"TenantsTable\"}");
        assertThat(node.get("arn").toString()).isEqualTo("{\"Fn::GetAtt\":[\"CommandsDeadLetterQueue\",\"Arn\"]}");
        assertThat(node.get("joined").toString()).isEqualTo("{\"Fn::Join\":[\",\",[\"a\",{\"Ref\":\"B\"}]]}");
        assertThat(node.get("plain").asText()).isEqualTo("text");
        assertThat(node.get("count").asInt()).isEqualTo(5);
        assertThat(node.get("enabled").asBoolean()).isTrue();
    }

    @Test
    void getAttShortForm_splitsAtTheFirstDotOnly() {
        JsonNode node = CloudFormationYaml.read("endpoint: !GetAtt Database.Endpoint.Address");

        assertThat(node.get("endpoint").toString()).isEqualTo("{\"Fn::GetAtt\":[\"Database\",\"Endpoint.Address\"]}");
    }

    @Test
    void unknownTag_isRejectedByName() {
        assertThatThrownBy(() -> CloudFormationYaml.read("value: !Bogus x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown CloudFormation tag !Bogus");
    }
}
