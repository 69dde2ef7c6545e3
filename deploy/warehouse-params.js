'use strict';
/**
 * Local osls plugin (serverless.yml `plugins: - ./deploy/warehouse-params`):
 * - before packaging (which `deploy` runs too), checks every parameter and fails naming the bad ones;
 * - before the template is saved, folds the conditions on parameters (deploy/fold-conditions.js), so
 *   each warehouse variant's template holds only its own resources and IAM statements;
 * - for `invoke local`, which cannot evaluate Fn::If, folds provider.environment the same way and
 *   leaves out what only exists once deployed (a created warehouse's secret and COPY role).
 */
const { resolveParams, validateParams } = require('./params');
const { foldConditions, foldWith } = require('./fold-conditions');

class WarehouseParams {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    this.hooks = {
      initialize: () => this.foldEnvironmentForInvokeLocal(),
      'before:package:initialize': () => this.check(),
      'before:aws:package:finalize:saveServiceState': () => {
        foldConditions(this.serverless.service.provider.compiledCloudFormationTemplate);
      },
    };
  }

  foldEnvironmentForInvokeLocal() {
    const { service, processedInput } = this.serverless;
    if ((processedInput?.commands ?? []).join(' ') !== 'invoke local') return;
    this.check();
    const environment = foldWith(service.provider.environment || {}, service.resources?.Conditions);
    for (const [name, value] of Object.entries(environment)) {
      if (value !== null && typeof value === 'object' && 'Fn::GetAtt' in value) delete environment[name];
    }
    service.provider.environment = environment;
  }

  check() {
    const { serverless } = this;
    const stage = this.options.stage || serverless.service.provider.stage || 'dev';
    const params = resolveParams(serverless.configurationInput?.params, stage, serverless.processedInput?.options?.param ?? []);
    const errors = validateParams(params, { region: this.options.region || serverless.service.provider.region });
    if (errors.length > 0) {
      throw new serverless.classes.Error(`Invalid configuration for stage ${stage}:\n  ${errors.join('\n  ')}`);
    }
  }
}

module.exports = WarehouseParams;
